/**
 * Crashes and restarts: a worker killed with SIGKILL mid-run, and a service that goes away while its
 * run is marked running. The run must say why it ended, keep its last output, and resume from its last
 * checkpoint without duplicate steps in its curves.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../src-main/store';
import { makeWorkspace, trainArgs, type Workspace } from './fixture';
import { openHarness, pidAlive, seriesSteps, waitForEvent } from './service-harness';

/** A PID that no process has now: a child that already exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  return r.pid!;
}

describe('run service: crashes, restarts and resume', () => {
  let ws: Workspace;
  let banner = '';

  beforeAll(async () => {
    ws = await makeWorkspace();
    // Every worker prints a line on stderr at start, so "last output" has something real to show.
    banner = path.join(ws.root, 'stderr-banner.cjs');
    fs.writeFileSync(banner, "process.stderr.write('worker stderr banner ' + process.pid + '\\n');\n");
  });
  afterAll(() => ws?.remove());

  it('a worker killed with SIGKILL fails the run with the signal and its last output; resume continues from the checkpoint', async () => {
    const h = openHarness(ws, { workerEnv: { NODE_OPTIONS: `--require ${banner}` } });
    try {
      // One checkpoint at step 30, the next at 60: the kill lands between them.
      const run = h.service.createRun({ config: trainArgs(ws, ['--epochs', '10', '--save-frequency', '0', '--save-every-n-steps', '30']) });
      // Kill once the store holds a checkpoint and metric rows past its step (those must be superseded).
      await waitForEvent(h, (e) => {
        if (e.type !== 'metrics' || e.runId !== run.id) return false;
        const ckpt = h.store.checkpoints.latestForRun(run.id);
        return ckpt !== undefined && e.points.some((p) => p.step > ckpt.step);
      });
      const pid = [...h.service.workerPids().keys()][0]!;
      process.kill(pid, 'SIGSTOP');
      await new Promise((r) => setTimeout(r, 300));
      process.kill(pid, 'SIGKILL');
      const failed = await h.service.waitForRun(run.id);
      expect(failed.status).toBe('failed');
      expect(failed.error).toMatch(/^rank 0 exited with signal SIGKILL before finishing/);
      expect(failed.error).toContain(`last output of rank 0:\nworker stderr banner ${pid}`);
      expect(failed.resumable).toBe(true);
      expect(h.notifications().some((n) => n.startsWith(`Run failed: ${run.name}: rank 0 exited with signal SIGKILL`))).toBe(true);

      const ckpt = h.store.checkpoints.latestForRun(run.id)!;
      expect(ckpt.step).toBe(30);
      const before = seriesSteps(h.store, run.id).steps;
      expect(Math.max(...before)).toBeGreaterThan(ckpt.step);

      const resumed = h.service.resume(run.id);
      expect(resumed.status).toBe('queued');
      expect(resumed.error).toBeNull();
      // Rows past the checkpoint are hidden at once, not only when the new ones arrive.
      expect(Math.max(...seriesSteps(h.store, run.id).steps)).toBe(ckpt.step);
      const ended = await h.service.waitForRun(run.id);
      expect(ended.error).toBeNull();
      expect(ended.status).toBe('finished');

      const { steps, segments } = seriesSteps(h.store, run.id);
      expect(steps).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
      // The first point written after the resume is the checkpoint's step + 1.
      const firstNew = segments.findIndex((s) => s > 0);
      expect(steps[firstNew]).toBe(ckpt.step + 1);
      expect(segments.slice(0, firstNew).every((s) => s === 0)).toBe(true);
      const log = h.store.events.list({ runId: run.id, kinds: ['log'] }).map((e) => e.message);
      expect(log.some((m) => m.includes(`at epoch ${Math.floor(ckpt.step / 8)}, batch ${ckpt.step % 8}, step ${ckpt.step}`))).toBe(true);
    } finally {
      await h.close();
    }
  });

  it('one of two ranks killed: the run fails with that rank\'s reason, not the collective error it causes in the other', async () => {
    const h = openHarness(ws, { workerEnv: { NODE_OPTIONS: `--require ${banner}` } });
    try {
      const run = h.service.createRun({ config: trainArgs(ws, ['--epochs', '20', '--nproc', '2', '--batch-size', '4']), name: 'two-ranks' });
      await waitForEvent(h, (e) => e.type === 'metrics' && e.runId === run.id && e.points.some((p) => p.step >= 2));
      const [rank0, rank1] = [...h.service.workerPids().keys()];
      process.kill(rank1!, 'SIGKILL');
      const ended = await h.service.waitForRun(run.id);
      expect(ended.status).toBe('failed');
      expect(ended.error).toMatch(new RegExp(`^rank 1 exited with signal SIGKILL before finishing\nlast output of rank 1:\nworker stderr banner ${rank1}`));
      expect(pidAlive(rank0!)).toBe(false);
      expect(h.store.events.list({ runId: run.id, kinds: ['worker'] }).map((e) => e.message)).toContain('rank 1 exited with signal SIGKILL; stopping the other ranks');
    } finally {
      await h.close();
    }
  });

  it('on start, runs marked running whose workers are gone become interrupted and resumable', async () => {
    // The app died mid-run: rows say running, with a dead worker PID and with our own PID (a PID reused
    // by another program after a reboot is not our worker either).
    const store = openStore({ file: path.join(ws.home, 'clipwb.sqlite') });
    const seeded = trainArgs(ws, ['--epochs', '2']);
    const first = openHarness(ws, { autoStart: false }, store);
    const donor = first.service.createRun({ config: trainArgs(ws, ['--epochs', '1']), name: 'donor' });
    first.service.startRun(donor.id);
    expect((await first.service.waitForRun(donor.id)).status).toBe('finished');
    const dead = first.service.createRun({ config: seeded, name: 'dead-pid' });
    const reused = first.service.createRun({ config: seeded, name: 'reused-pid' });
    await first.service.close();
    store.runs.setStatus(dead.id, 'running');
    store.runs.update(dead.id, { pids: [deadPid()] });
    store.runs.setStatus(reused.id, 'stalled');
    store.runs.update(reused.id, { pids: [process.pid] });
    // Metrics recorded before the crash, some past the last checkpoint, and a checkpoint that the
    // worker wrote on disk but never reported (it paused itself when the app died).
    const ckptDir = path.join(dead.outDir!, 'checkpoints');
    fs.mkdirSync(ckptDir, { recursive: true });
    const donorDir = path.join(donor.outDir!, 'checkpoints');
    for (const f of ['epoch_1.json', 'epoch_1.safetensors', 'epoch_1.state.safetensors']) {
      if (f.endsWith('.json')) fs.writeFileSync(path.join(ckptDir, f), fs.readFileSync(path.join(donorDir, f), 'utf8').replace(/"runId": "[^"]+"/, `"runId": "${dead.id}"`));
      else fs.copyFileSync(path.join(donorDir, f), path.join(ckptDir, f));
    }
    store.metrics.append(dead.id, Array.from({ length: 12 }, (_, i) => ({ key: 'train/loss', step: i + 1, value: 3 - i / 10, wallTime: Date.now() })));
    store.close();

    const h = openHarness(ws, { autoStart: false });
    try {
      for (const id of [dead.id, reused.id]) {
        const r = h.store.runs.require(id);
        expect(r.status).toBe('interrupted');
        expect(r.pids).toEqual([]);
        expect(r.error).toMatch(/ended without recording an outcome/);
      }
      const recovered = h.store.runs.require(dead.id);
      expect(recovered.resumable).toBe(true);
      const adopted = h.store.checkpoints.listForRun(dead.id);
      expect(adopted.map((c) => c.step)).toEqual([8]);
      expect(h.store.events.list({ runId: dead.id, kinds: ['recover'] })[0]?.message).toMatch(/recorded 1 checkpoint\(s\) found on disk; resume continues/);
      expect(h.store.runs.require(reused.id).resumable).toBe(false);

      h.service.resume(dead.id);
      expect(seriesSteps(h.store, dead.id).steps).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(h.service.startRun(dead.id)).toEqual({ started: true, reason: null });
      const ended = await h.service.waitForRun(dead.id);
      expect(ended.status).toBe('finished');
      expect(seriesSteps(h.store, dead.id).steps).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));

      // Without a checkpoint, resume starts again from step 0 and says so.
      h.service.resume(reused.id);
      expect(h.store.events.list({ runId: reused.id, kinds: ['resume'] })[0]?.message).toBe('this run has no checkpoint; starting again from step 0');
      h.service.cancel(reused.id);
      expect(h.store.runs.require(reused.id).status).toBe('cancelled');
    } finally {
      await h.close();
    }
  });

  it('resume skips checkpoints whose files were deleted, and starts over when the run folder is gone', async () => {
    const h = openHarness(ws);
    try {
      const run = h.service.createRun({ config: trainArgs(ws, ['--epochs', '2', '--max-steps', '12', '--save-every-n-steps', '4']), name: 'deleted-files' });
      expect((await h.service.waitForRun(run.id)).status).toBe('finished');
      expect(h.store.checkpoints.listForRun(run.id).map((c) => c.step)).toEqual([4, 8, 12]);
      // Pretend it failed after its last checkpoint, whose files were then deleted.
      h.store.runs.setStatus(run.id, 'failed');
      const last = h.store.checkpoints.latestForRun(run.id)!;
      fs.rmSync(last.path.replace(/\.json$/, '.safetensors'));
      h.service.resume(run.id);
      expect(h.store.checkpoints.require(last.id).fileDeletedAt).not.toBeNull();
      expect(h.store.events.list({ runId: run.id, kinds: ['resume'] }).pop()?.message).toMatch(/resuming from .*epoch_1\.json \(step 8\)/);
      expect((await h.service.waitForRun(run.id)).status).toBe('finished');

      h.store.runs.setStatus(run.id, 'failed');
      fs.rmSync(run.outDir!, { recursive: true, force: true });
      h.service.resume(run.id);
      expect(h.store.events.list({ runId: run.id, kinds: ['resume'] }).pop()?.message).toMatch(/checkpoint\(s\) of this run are no longer on disk .*starting again from step 0/);
      expect(seriesSteps(h.store, run.id).steps).toEqual([]);
      const ended = await h.service.waitForRun(run.id);
      expect(ended.status).toBe('finished');
      expect(seriesSteps(h.store, run.id).steps).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      // The checkpoints written again under the same names are live again.
      expect(h.store.checkpoints.listForRun(run.id).map((c) => [c.step, c.fileDeletedAt])).toEqual([[4, null], [8, null], [12, null]]);
    } finally {
      await h.close();
    }
  });
});

