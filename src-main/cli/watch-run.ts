/**
 * Follows a run in the terminal: its log lines, a progress bar (step/total, samples/s, ETA), and
 * Ctrl-C (or SIGTERM) handling: the first pauses (checkpoint, resumable), the second cancels, the third kills.
 */
import type { RunService } from '../runs/service';
import type { Run } from '../store';
import type { ApiEvent } from '../../src-shared/api/types';
import { createProgressBar } from './progress';
import { isLiveStatus } from '../runs/recovery';
import { WorkbenchError } from '../../src-shared/errors';

export async function watchRun(service: RunService, runId: string, opts: { quiet?: boolean } = {}): Promise<Run> {
  const bar = createProgressBar('train', { intervalMs: 30_000 });
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      console.error('\nPausing: writing a checkpoint at the next step (Ctrl-C again to cancel without one)...');
      try { service.pause(runId); } catch { /* not running yet */ service.cancel(runId); }
    } else if (interrupts === 2) {
      console.error('\nCancelling...');
      service.cancel(runId);
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSigint);
  // `kill`, a logout or a service manager: stop the same way, so the run stays resumable.
  process.on('SIGTERM', onSigint);
  const onEvent = (e: ApiEvent) => {
    if (e.type === 'log' && e.line.runId === runId && !opts.quiet && e.line.kind !== 'notification') {
      const line = `${e.line.level === 'info' ? '' : `${e.line.level.toUpperCase()}: `}${e.line.message}`;
      process.stdout.write(`${process.stderr.isTTY ? '\r\x1b[2K' : ''}${line}\n`);
    } else if (e.type === 'run' && e.run.id === runId && e.run.status === 'running' && e.run.progress && e.run.progress.totalSteps > 0) {
      const p = e.run.progress;
      bar.update(p.step, p.totalSteps, `epoch ${p.epoch}${p.samplesPerSecond ? `  ${p.samplesPerSecond.toFixed(0)} samples/s` : ''}`);
    } else if (e.type === 'notification' && (!e.runId || e.runId === runId) && e.level !== 'info') {
      console.error(`${e.title}: ${e.body}`);
    }
  };
  service.on('event', onEvent);
  try {
    return await service.waitForRun(runId);
  } finally {
    bar.done();
    service.off('event', onEvent);
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}

/** Starts a queued run, waiting (with a message) while its devices are busy. */
export async function startWhenFree(service: RunService, runId: string): Promise<void> {
  let lastReason = '';
  for (;;) {
    const r = service.startRun(runId);
    if (r.started) return;
    const run = service.store.runs.require(runId);
    if (isLiveStatus(run.status)) throw new WorkbenchError(`run ${runId} was started by another workbench process (the app, or another clipwb); follow it there, or with clipwb runs show ${runId}`, { kind: 'conflict' });
    if (run.status !== 'queued') throw new Error(run.error ?? r.reason ?? `run is ${run.status}`);
    if (r.reason !== lastReason) console.error(r.reason);
    lastReason = r.reason ?? '';
    await new Promise((res) => setTimeout(res, 5000));
  }
}
