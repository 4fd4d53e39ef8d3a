/**
 * What a run's progress line says, for every status, as a pure function (the run page and the
 * dashboard show the same thing): a live run its step of the total, throughput and ETA (the worker's,
 * or estimated from elapsed time per step when it has none yet); a run that stopped its last step and
 * how long it ran; a queued one that it waits. Right after Resume the worker reports step 0 of an
 * unknown total for a moment: the line then says which step it resumes from instead of "0 / ?".
 */
import type { RunSummary } from '../../../src-shared/api/types';

export interface ProgressView {
  kind: 'live' | 'ended' | 'queued' | 'starting';
  /** 0..1 for the bar; null when the total is unknown. */
  fraction: number | null;
  /** e.g. "step 120 / 300", "resuming from step 120", "stopped at step 120". */
  stepText: string;
  epoch: number | null;
  samplesPerSecond: number | null;
  etaSeconds: number | null;
  /** Run time in seconds: until now while live, start to end once ended. */
  durationSeconds: number | null;
}

const LIVE = new Set(['starting', 'running', 'stalled']);
const ENDED_WORD: Record<string, string> = { finished: 'finished at', paused: 'paused at', cancelled: 'cancelled at', failed: 'failed at', interrupted: 'interrupted at' };

const steps = (n: number) => n.toLocaleString('en-US');

/** The run's step budget when its config says so (params.maxSteps), else null. */
function budgetOf(run: RunSummary): number | null {
  const m = run.params['maxSteps'];
  return typeof m === 'number' && m > 0 ? m : null;
}

export function progressView(run: RunSummary, now: number): ProgressView {
  const p = run.progress;
  const last = run.lastStep ?? null;
  const duration = run.startedAt !== null ? Math.max(0, ((run.endedAt ?? now) - run.startedAt) / 1000) : null;
  if (run.status === 'queued') {
    return { kind: 'queued', fraction: null, stepText: last !== null ? `queued (at step ${steps(last)})` : 'waiting in the queue', epoch: null, samplesPerSecond: null, etaSeconds: null, durationSeconds: null };
  }
  if (LIVE.has(run.status)) {
    if (!p) return { kind: 'starting', fraction: null, stepText: last !== null ? `resuming from step ${steps(last)}` : 'starting…', epoch: null, samplesPerSecond: null, etaSeconds: null, durationSeconds: duration };
    const total = p.totalSteps > 0 ? p.totalSteps : budgetOf(run);
    if (p.step === 0 && last !== null && last > 0) {
      return { kind: 'live', fraction: total ? last / total : null, stepText: `resuming from step ${steps(last)}`, epoch: p.epoch, samplesPerSecond: null, etaSeconds: null, durationSeconds: duration };
    }
    if (p.step === 0 && !total) {
      // Loading data and building the model: no step and no total yet ("step 0 / ?" said nothing).
      return { kind: 'starting', fraction: null, stepText: 'preparing the first step…', epoch: null, samplesPerSecond: null, etaSeconds: null, durationSeconds: duration };
    }
    let eta = p.etaSeconds;
    if (eta === null && total && p.step > 0 && run.startedAt !== null) {
      // Estimated from the time per step so far, until the worker reports its own.
      const elapsed = (now - run.startedAt) / 1000;
      eta = Math.max(0, (elapsed / p.step) * (total - p.step));
    }
    return {
      kind: 'live', fraction: total ? Math.min(1, p.step / total) : null, stepText: `step ${steps(p.step)} / ${total ? steps(total) : '?'}`,
      epoch: p.epoch, samplesPerSecond: p.samplesPerSecond, etaSeconds: eta, durationSeconds: duration,
    };
  }
  const budget = budgetOf(run);
  const at = last ?? p?.step ?? null;
  const word = ENDED_WORD[run.status] ?? `${run.status} at`;
  return {
    kind: 'ended',
    fraction: run.status === 'finished' ? 1 : at !== null && budget ? Math.min(1, at / budget) : null,
    stepText: at !== null ? `${word} step ${steps(at)}${budget ? ` / ${steps(budget)}` : ''}` : `${run.status}, no step logged`,
    epoch: p?.epoch ?? null, samplesPerSecond: null, etaSeconds: null, durationSeconds: duration,
  };
}
