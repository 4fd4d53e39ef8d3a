/**
 * The queue: runs start when their devices are free, one worker per GPU, and the queue pauses itself
 * after three fast failures in a row (here: runs whose shard is missing).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuState } from '../../../src-main/runs/scheduler';
import { makeWorkspace, trainArgs, type Workspace } from './fixture';
import { openHarness, waitForEvent } from './service-harness';

const gpu = (index: number, pids: number[] = []): GpuState => ({ index, uuid: `GPU-${index}`, memoryUsedMiB: pids.length > 0 ? 30_000 : 100, memoryTotalMiB: 40_000, utilization: pids.length > 0 ? 90 : 0, pids });

describe('run service: queue', () => {
  let ws: Workspace;
  beforeAll(async () => { ws = await makeWorkspace(); });
  afterAll(() => ws?.remove());

  it('pauses itself after 3 fast failures in a row; resumeQueue starts the next run', async () => {
    const h = openHarness(ws, { tickMs: 100 });
    try {
      // Shards that exist when the runs are created (the pre-flight refuses missing ones) and are gone
      // when they start: the workers' own check finds them missing.
      const folder = path.join(ws.root, 'missing');
      fs.mkdirSync(folder, { recursive: true });
      for (const p of ws.shards.paths) fs.copyFileSync(p, path.join(folder, path.basename(p)));
      const missing = path.join(folder, '{00000000..00000001}.tar');
      const failing = [1, 2, 3].map((i) => h.service.createRun({ config: [...trainArgs(ws), '--train-data', missing], name: `missing-${i}` }));
      const good = h.service.createRun({ config: trainArgs(ws, ['--epochs', '1']), name: 'good' });
      fs.rmSync(folder, { recursive: true });
      // Three worker starts one after another: generous on a loaded machine.
      await waitForEvent(h, (e) => e.type === 'notification' && e.title === 'Queue paused', { timeoutMs: 120_000 });
      for (const r of failing) {
        const run = h.store.runs.require(r.id);
        expect(run.status).toBe('failed');
        expect(run.error).toMatch(/^rank 0: --train-data: .*missing\/.*(do not exist|matches no existing file)/);
      }
      expect(h.service.isQueuePaused).toBe(true);
      expect(h.notifications()).toContain('Queue paused: 3 runs in a row failed within 120 s of starting; fix the cause, then resume the queue.');
      await new Promise((r) => setTimeout(r, 500));
      expect(h.store.runs.require(good.id).status).toBe('queued');

      h.service.resumeQueue();
      expect(h.service.isQueuePaused).toBe(false);
      expect((await h.service.waitForRun(good.id)).status).toBe('finished');
    } finally {
      await h.close();
    }
  }, 180_000);

  it('starts runs on free GPUs only, one worker per GPU, and queues the rest', async () => {
    // GPU 1 is busy with another program's process; GPU 0 is free.
    const gpus = [gpu(0), gpu(1, [999_999])];
    const h = openHarness(ws, { tickMs: 100, gpus: () => gpus });
    try {
      const a = h.service.createRun({ config: trainArgs(ws, ['--epochs', '1', '--devices', '0']), name: 'gpu-a' });
      const b = h.service.createRun({ config: trainArgs(ws, ['--epochs', '1', '--devices=']), name: 'gpu-b' });
      // A GPU this machine does not have is refused before a run exists.
      const before = h.store.runs.list({}).length;
      expect(() => h.service.createRun({ config: trainArgs(ws, ['--epochs', '1', '--devices', '7']), name: 'gpu-c' }))
        .toThrow('--devices: GPU "7" is not on this machine (GPUs: 0, 1). Give GPU indices of this machine (clipwb doctor lists them), cpu, or leave --devices out');
      expect(h.store.runs.list({}).length).toBe(before);
      await waitForEvent(h, (e) => e.type === 'run' && e.run.id === a.id && e.run.status === 'running');
      expect(h.store.runs.require(a.id).devices).toEqual(['gpu:0']);
      // b asks for any free GPU: none is free while a holds GPU 0.
      expect(h.service.startRun(b.id)).toEqual({ started: false, reason: 'waiting for 1 free GPU(s) (0 free now)' });
      // One that was valid when queued and no longer is (the GPU went away) still fails at start.
      gpus.push(gpu(7));
      const c = h.service.createRun({ config: trainArgs(ws, ['--epochs', '1', '--devices', '7']), name: 'gpu-c' });
      gpus.pop();
      await waitForEvent(h, (e) => e.type === 'run' && e.run.id === c.id && e.run.status === 'failed');
      const failed = h.store.runs.require(c.id);
      expect(failed.status).toBe('failed');
      expect(failed.error).toBe('devices: GPU "7" is not on this machine (GPUs: 0, 1)');

      expect((await h.service.waitForRun(a.id)).status).toBe('finished');
      expect((await h.service.waitForRun(b.id)).status).toBe('finished');
      expect(h.store.runs.require(b.id).devices).toEqual(['gpu:0']);
      const started = h.store.events.list({ runId: b.id, kinds: ['start'] })[0]!;
      expect(started.time).toBeGreaterThanOrEqual(h.store.runs.require(a.id).endedAt!);
    } finally {
      await h.close();
    }
  });
});
