/**
 * Stopping runs on purpose (cancel, forced cancel, pause and resume, a request from another process,
 * closing the service) and noticing runs that stop on their own (stalls), with real workers.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../../src-shared/api/types';
import { makeWorkspace, trainArgs, type Workspace } from './fixture';
import { openHarness, pidAlive, seriesSteps, waitForEvent, type Harness } from './service-harness';

const metricsPast = (runId: string, step: number) => (e: ApiEvent) => e.type === 'metrics' && e.runId === runId && e.points.some((p) => p.step >= step);

describe('run service: cancel, pause, stalls', () => {
  let ws: Workspace;
  let h: Harness;
  let workerEnv: Record<string, string> = {};

  beforeAll(async () => {
    ws = await makeWorkspace();
    // Every worker prints a line on stderr at start: a stall report quotes it.
    const banner = path.join(ws.root, 'stderr-banner.cjs');
    fs.writeFileSync(banner, "process.stderr.write('worker stderr banner ' + process.pid + '\\n');\n");
    workerEnv = { NODE_OPTIONS: `--require ${banner}` };
    h = openHarness(ws, { cancelGraceMs: 3000, tickMs: 100, workerEnv, origin: 'app' });
  });
  afterAll(async () => {
    await h?.close();
    ws?.remove();
  });

  it('cancels gracefully: the worker stops after its step, no signal needed', async () => {
    const run = h.service.createRun({ config: trainArgs(ws, ['--epochs', '50']), name: 'graceful' });
    await waitForEvent(h, metricsPast(run.id, 2));
    expect(h.service.cancel(run.id)).toBe('stopping');
    expect(h.service.cancel(run.id)).toBe('stopping');
    const ended = await h.service.waitForRun(run.id);
    expect(ended.status).toBe('cancelled');
    expect(ended.error).toBeNull();
    expect(h.store.events.list({ runId: run.id, kinds: ['cancel'] }).map((e) => e.message)).toEqual(['cancelling: the worker stops after its current step']);
    expect(h.service.cancel(run.id)).toBe('nothing');
  });

  it('cancels by force when the worker does not answer: SIGTERM, then SIGKILL', async () => {
    const run = h.service.createRun({ config: trainArgs(ws, ['--epochs', '50']), name: 'forced' });
    await waitForEvent(h, metricsPast(run.id, 2));
    const pid = [...h.service.workerPids().keys()][0]!;
    // A stopped process reads no message and leaves SIGTERM pending: only SIGKILL ends it.
    process.kill(pid, 'SIGSTOP');
    h.service.cancel(run.id);
    const ended = await h.service.waitForRun(run.id);
    expect(ended.status).toBe('cancelled');
    expect(pidAlive(pid)).toBe(false);
    expect(h.store.events.list({ runId: run.id, kinds: ['cancel'] }).map((e) => e.message)).toContain('the worker did not stop within 3 s; sending SIGTERM');
  });

  it('a run that completes while a cancel is on its way is finished, not cancelled', async () => {
    const run = h.service.createRun({ config: trainArgs(ws, ['--epochs', '1']), name: 'late-cancel' });
    // The last checkpoint is written after the last step: a stop request can no longer stop anything.
    await waitForEvent(h, (e) => e.type === 'checkpoint' && e.checkpoint.runId === run.id);
    h.service.cancel(run.id);
    const ended = await h.service.waitForRun(run.id);
    expect(ended.status).toBe('finished');
  });

  it('pauses with a checkpoint, and resume finishes the run without duplicate steps', async () => {
    const run = h.service.createRun({ config: trainArgs(ws, ['--epochs', '3', '--save-frequency', '0']), name: 'pause' });
    await waitForEvent(h, metricsPast(run.id, 3));
    expect(h.service.pause(run.id)).toBe('stopping');
    const paused = await h.service.waitForRun(run.id);
    expect(paused.status).toBe('paused');
    expect(paused.resumable).toBe(true);
    expect(paused.endedAt).toBeNull();
    const ckpt = h.store.checkpoints.latestForRun(run.id)!;
    expect(path.basename(ckpt.path)).toMatch(/^(step|epoch)_\d+\.json$/);
    expect(seriesSteps(h.store, run.id).steps).toEqual(Array.from({ length: ckpt.step }, (_, i) => i + 1));
    expect(() => h.service.pause(run.id)).toThrow(/is paused; only a running run can pause/);

    h.service.resume(run.id);
    const ended = await h.service.waitForRun(run.id);
    expect(ended.status).toBe('finished');
    const { steps, segments } = seriesSteps(h.store, run.id);
    expect(steps).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    expect(steps[segments.findIndex((s) => s > 0)]).toBe(ckpt.step + 1);
    expect(h.statuses(run.id)).toEqual(['queued', 'starting', 'running', 'paused', 'queued', 'starting', 'running', 'finished']);
  });

  it('notices a worker that stops reporting (stalled, with the reason), and its recovery', async () => {
    // Small thresholds, in a service of its own: the other tests must not see a stall on a slow step.
    // Its origin differs, so neither service starts the other's queued runs.
    const sh = openHarness(ws, { tickMs: 100, stallFactor: 4, minStallMs: 1500, startupStallMs: 120_000, workerEnv, origin: 'cli' });
    try {
      const run = sh.service.createRun({ config: trainArgs(ws, ['--epochs', '50']), name: 'stall' });
      await waitForEvent(sh, metricsPast(run.id, 6));
      const pid = [...sh.service.workerPids().keys()][0]!;
      const from = sh.events.length;
      process.kill(pid, 'SIGSTOP');
      try {
        await waitForEvent(sh, (e) => e.type === 'notification' && e.runId === run.id && e.title === 'Run stalled', { from });
        const stalled = sh.store.runs.require(run.id);
        expect(stalled.status).toBe('stalled');
        expect(stalled.error).toMatch(new RegExp(`^no report for \\d+ s \\(limit \\d+ s, median step \\d+\\.\\d\\d s\\)\nlast output of rank 0:\nworker stderr banner ${pid}`));
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      await waitForEvent(sh, (e) => e.type === 'run' && e.run.id === run.id && e.run.status === 'running', { from });
      const recovered = sh.store.runs.require(run.id);
      expect(recovered.status).toBe('running');
      expect(recovered.error).toBeNull();
      expect(sh.store.events.list({ runId: run.id, kinds: ['stall'] }).map((e) => e.message)).toContain('the run reports again');
      sh.service.cancel(run.id);
      expect((await sh.service.waitForRun(run.id)).status).toBe('cancelled');
    } finally {
      await sh.close();
    }
  });

  it('stops a worker that stays stalled: SIGTERM, then SIGKILL, and the run fails saying why', async () => {
    const sh = openHarness(ws, { tickMs: 100, stallFactor: 4, minStallMs: 1500, startupStallMs: 120_000, stallKillMs: 1000, cancelGraceMs: 1500, workerEnv, origin: 'cli' });
    try {
      const run = sh.service.createRun({ config: trainArgs(ws, ['--epochs', '50']), name: 'stall-kill' });
      await waitForEvent(sh, metricsPast(run.id, 3));
      const pid = [...sh.service.workerPids().keys()][0]!;
      // A stopped process handles no signal but SIGKILL: it stands for a worker stuck in a computation.
      process.kill(pid, 'SIGSTOP');
      const ended = await sh.service.waitForRun(run.id);
      expect(pidAlive(pid)).toBe(false);
      expect(ended.status).toBe('failed');
      expect(ended.error).toMatch(/^stopped: the run stalled \(no report for \d+ s\) and did not recover within 1 s; the workers were sent SIGTERM, then SIGKILL after 1\.5 s; rank 0 ended by signal SIGKILL/);
      const messages = sh.store.events.list({ runId: run.id, kinds: ['stall'] }).map((e) => e.message);
      expect(messages.some((m) => /stopping the stalled workers \(SIGTERM, then SIGKILL after 1\.5 s\)/.test(m))).toBe(true);
      expect(messages).toContain('the stalled workers did not exit on SIGTERM within 1.5 s; sending SIGKILL');
      // What was recorded before the stall is kept.
      expect(seriesSteps(sh.store, run.id).steps.length).toBeGreaterThanOrEqual(3);
    } finally {
      await sh.close();
    }
  });

  it('pauses and cancels a run that another process supervises, through the store', async () => {
    const other = openHarness(ws, { tickMs: 100, origin: 'app', autoStart: false });
    try {
      const run = h.service.createRun({ config: trainArgs(ws, ['--epochs', '50']), name: 'remote' });
      await waitForEvent(h, metricsPast(run.id, 2));
      expect(other.service.pause(run.id)).toBe('requested');
      expect((await h.service.waitForRun(run.id)).status).toBe('paused');
      expect(h.store.checkpoints.latestForRun(run.id)).toBeDefined();

      expect(() => other.service.resume(run.id)).not.toThrow();
      expect(other.service.startRun(run.id).started).toBe(true);
      // Now the other one supervises it, and this one asks.
      await waitForEvent(other, metricsPast(run.id, 2));
      expect(() => h.service.resume(run.id)).toThrow(/running in another workbench process/);
      expect(h.service.cancel(run.id)).toBe('requested');
      expect((await other.service.waitForRun(run.id)).status).toBe('cancelled');
    } finally {
      await other.close();
    }
  });

  it('closing the service pauses running runs, then records and emits nothing more', async () => {
    const own = openHarness(ws, { origin: 'cli' });
    const run = own.service.createRun({ config: trainArgs(ws, ['--epochs', '50']), name: 'closing' });
    await waitForEvent(own, metricsPast(run.id, 2));
    const pid = [...own.service.workerPids().keys()][0]!;
    await own.service.close();
    const after = own.events.length;
    own.store.close();
    expect(pidAlive(pid)).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    expect(own.events.length).toBe(after);
    expect(() => own.service.createRun({ config: trainArgs(ws) })).toThrow(/the run service is closed/);

    const check = openHarness(ws, { autoStart: false });
    try {
      const r = check.store.runs.require(run.id);
      expect(r.status).toBe('paused');
      expect(r.resumable).toBe(true);
      expect(fs.existsSync(check.store.checkpoints.latestForRun(run.id)!.path)).toBe(true);
    } finally {
      await check.close();
    }
  });
});
