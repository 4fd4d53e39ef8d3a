/**
 * `--resume PATH` continues from exactly the checkpoint it names, not the newest one; a damaged named
 * checkpoint is refused with the reason and the fix, never silently swapped for another.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../src-main/store';
import { cli, cliEnv } from '../cli/run-cli';
import { makeWorkspace, trainArgs, type Workspace } from './fixture';
import { openHarness, seriesSteps } from './service-harness';

describe('resume from a named checkpoint', () => {
  let ws: Workspace;
  beforeAll(async () => { ws = await makeWorkspace(); });
  afterAll(() => ws?.remove());

  it('continues from the checkpoint it names, and refuses a damaged one', async () => {
    const h = openHarness(ws);
    let runId = '';
    let older = '';
    try {
      const run = h.service.createRun({ config: trainArgs(ws, ['--epochs', '2', '--max-steps', '12', '--save-every-n-steps', '4']), name: 'named-resume' });
      runId = run.id;
      expect((await h.service.waitForRun(run.id)).status).toBe('finished');
      const ckpts = h.store.checkpoints.listForRun(run.id).sort((a, b) => a.step - b.step);
      expect(ckpts.map((c) => c.step)).toEqual([4, 8, 12]);
      h.store.runs.setStatus(run.id, 'failed');

      // The step-8 checkpoint's weights are truncated: naming it is refused, and nothing changes.
      const weights8 = ckpts[1]!.path.replace(/\.json$/, '.safetensors');
      fs.truncateSync(weights8, 100);
      expect(() => h.service.resume(run.id, { checkpoint: weights8 })).toThrow(/\(step 8\) is incomplete or damaged/);
      expect(h.store.runs.require(run.id).status).toBe('failed');
      expect(() => h.service.resume(run.id, { checkpoint: path.join(ws.root, 'not-a-checkpoint.json') })).toThrow(/is not a checkpoint of run/);

      // Naming the step-4 checkpoint resumes from it although a newer whole one (step 12) exists.
      older = ckpts[0]!.path;
      h.service.resume(run.id, { checkpoint: older });
      expect(h.store.events.list({ runId: run.id, kinds: ['resume'] }).pop()?.message).toBe(`resuming from ${older} (step 4)`);
      const ended = await h.service.waitForRun(run.id);
      expect(ended.status).toBe('finished');
      expect(ended.resumeFrom).toBeNull();
      const { steps, segments } = seriesSteps(h.store, run.id);
      expect(steps).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      expect(steps[segments.findIndex((s) => s > 0)]).toBe(5);
      const log = h.store.events.list({ runId: run.id, kinds: ['log'] }).map((e) => e.message);
      expect(log.some((m) => m.startsWith(`resumed from ${older}`) && m.endsWith('step 4'))).toBe(true);
    } finally {
      await h.close();
    }

    // The command line passes the path through: `clipwb train --resume PATH` of a damaged checkpoint fails
    // before anything starts, naming the field.
    const env = cliEnv(ws.root, ws.home);
    const store = openStore({ file: path.join(ws.home, 'clipwb.sqlite') });
    try {
      store.runs.setStatus(runId, 'failed');
      const eight = store.checkpoints.listForRun(runId).find((c) => c.step === 8)!;
      fs.truncateSync(eight.path.replace(/\.json$/, '.safetensors'), 10);
      const r = await cli(['train', '--resume', eight.path], env);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/resume.*incomplete or damaged/s);
      expect(store.runs.require(runId).status).toBe('failed');
    } finally {
      store.close();
    }
  }, 180_000);
});
