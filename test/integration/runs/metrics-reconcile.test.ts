/**
 * No recorded step is lost when the supervising process dies: the worker's metrics.jsonl is the source
 * of truth, and recovery copies into the store every logged step that never arrived over IPC. Recovery
 * also removes the temporary files of checkpoint writes that the death interrupted.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../src-main/store';
import { readMetricsLog } from '../../../src-main/runs/reconcile-metrics';
import { cliEnv, startCli } from '../cli/run-cli';
import { makeWorkspace, trainArgs, type Workspace } from './fixture';
import { openHarness, pidAlive, seriesSteps } from './service-harness';
import { until } from '../../helpers/until';

describe('metric points survive the death of the supervising process', () => {
  let ws: Workspace;
  beforeAll(async () => { ws = await makeWorkspace(); });
  afterAll(() => ws?.remove());

  it('recovery copies the steps that are in metrics.jsonl but not in the store', async () => {
    const store = openStore({ file: path.join(ws.home, 'clipwb.sqlite') });
    const first = openHarness(ws, { autoStart: false }, store);
    const run = first.service.createRun({ config: trainArgs(ws, ['--epochs', '2']), name: 'orphaned' });
    await first.service.close();
    // The supervisor saw steps 1-5; the orphaned worker logged 6-9 (and a line torn by its death).
    store.metrics.append(run.id, Array.from({ length: 5 }, (_, i) => ({ key: 'train/loss', step: i + 1, value: 3 - i / 10, wallTime: 1_000 + i })));
    fs.mkdirSync(run.outDir!, { recursive: true });
    const lines = Array.from({ length: 9 }, (_, i) => JSON.stringify({ step: i + 1, epoch: 0, wall: 1_000 + i, loss: 3 - i / 10, lr: 1e-3, scale: i === 8 ? null : 14.2 }));
    fs.writeFileSync(path.join(run.outDir!, 'metrics.jsonl'), `${lines.join('\n')}\n{"step": 10, "epo`);
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    // The worker died in the middle of a checkpoint write, too.
    const torn = path.join(run.outDir!, 'checkpoints', `.epoch_1.safetensors.${gone}.0badf00d.tmp`);
    fs.mkdirSync(path.dirname(torn), { recursive: true });
    fs.writeFileSync(torn, Buffer.alloc(4096));
    store.runs.setStatus(run.id, 'running');
    store.runs.update(run.id, { pids: [gone] });
    store.close();

    const h = openHarness(ws, { autoStart: false });
    try {
      expect(h.store.runs.require(run.id).status).toBe('interrupted');
      expect(fs.existsSync(torn)).toBe(false);
      expect(seriesSteps(h.store, run.id).steps).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(seriesSteps(h.store, run.id, 'train/lr').steps).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      const scale = h.store.metrics.readRange(h.store.metrics.getSeries(run.id, 'train/scale')!.id);
      expect(Array.from(scale.values).slice(0, 8)).toEqual(Array(8).fill(14.2));
      expect(Number.isNaN(scale.values[8])).toBe(true);
      const loss = h.store.metrics.readRange(h.store.metrics.getSeries(run.id, 'train/loss')!.id);
      expect(loss.values[7]).toBeCloseTo(2.3, 10);
      expect(loss.walls[7]).toBe(1_007);
      expect(h.store.events.list({ runId: run.id, kinds: ['recover'] })[0]?.message).toMatch(/recovered 22 metric point\(s\) from metrics\.jsonl/);
    } finally {
      await h.close();
    }
    // A second pass finds nothing more to add.
    const again = openHarness(ws, { autoStart: false });
    try {
      expect(seriesSteps(again.store, run.id).steps).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    } finally {
      await again.close();
    }
  });

  it('a CLI killed with SIGKILL mid-run: after recovery the store holds every step its worker logged', async () => {
    const env = cliEnv(ws.root, ws.home);
    const train = startCli(['train', ...trainArgs(ws, ['--epochs', '60', '--save-frequency', '0', '--name', 'killed-cli'])], env);
    const store = openStore({ file: path.join(ws.home, 'clipwb.sqlite') });
    try {
      const run = await until('the run to train', () => {
        const r = store.runs.list({ search: 'killed-cli' }).find((x) => x.name === 'killed-cli' && x.status === 'running');
        return r && seriesSteps(store, r.id).steps.length > 3 ? r : null;
      });
      const [worker] = store.runs.require(run.id).pids;
      train.child.kill('SIGKILL');
      await train.done;
      await until('the orphaned worker to exit', () => !pidAlive(worker!), 60_000);

      const h = openHarness(ws, { autoStart: false });
      try {
        expect(h.store.runs.require(run.id).status).toBe('interrupted');
        const logged = readMetricsLog(path.join(run.outDir!, 'metrics.jsonl')).map((l) => l.step);
        expect(logged.length).toBeGreaterThan(3);
        expect(seriesSteps(h.store, run.id).steps).toEqual(logged);
        h.service.cancel(run.id);
      } finally {
        await h.close();
      }
    } finally {
      if (train.child.exitCode === null && train.child.signalCode === null) train.child.kill('SIGKILL');
      store.close();
    }
  }, 120_000);
});
