/**
 * What the run service knows about a run whose workers it supervises, and the pure decisions made from
 * it: step times (for stall detection), the outcome when the workers exit, the stall report.
 */
import type { WorkerToMain } from '../../src-worker/protocol';
import { flagOf } from '../../src-shared/config/train-config';
import type { RunStatus } from '../store';
import type { WorkerExit, WorkerGroup } from './launcher';
import type { LiveProgress } from './summary';
import { median, stallLimitMs, type StallThresholds } from './stall';

export interface ActiveRun {
  runId: string;
  group: WorkerGroup;
  devices: string[];
  startedAt: number;
  ready: Set<number>;
  lastMessageAt: number;
  stepTimes: number[];
  lastStep: number;
  lastStepAt: number;
  sawStep: boolean;
  stalled: boolean;
  /** When the run was marked stalled (the kill deadline counts from here). */
  stalledAt: number;
  /** Set once a stalled run's workers are being stopped: why, for the run's error. */
  stallStop: string | null;
  stopMode: 'cancel' | 'pause' | null;
  done: Record<string, unknown> | null;
  /** The first error: reported by a rank, or (fromExit) a rank that died without a word. */
  error: { rank: number; message: string; name?: string; field?: string; fromExit?: WorkerExit } | null;
  exits: WorkerExit[];
  progress: LiveProgress | null;
  lastProgressEmit: number;
  killTimers: NodeJS.Timeout[];
  /** Control requests from other processes with a larger event id are for this start of the run. */
  controlAfterId: number;
}

/**
 * Ends the error of a run whose worker refused its config before the first step (a ConfigError in
 * set-up: a shard's keys, a vocabulary too large, weights of another shape, memory). Resuming it would
 * fail the same way, so the error says what to do instead (and `clipwb` offers no resume for it).
 */
export const CONFIG_FAILURE_NOTE = 'The run stopped in set-up, before its first step, on a problem with its configuration: resuming it would fail the same way. Fix the configuration and start a new run';

/** Lines of a worker's output quoted in a run's error. */
export const STDERR_IN_ERROR = 8;

export function newActiveRun(runId: string, devices: string[], controlAfterId: number): ActiveRun {
  const now = Date.now();
  return {
    runId, group: undefined as unknown as WorkerGroup, devices, startedAt: now, ready: new Set(), lastMessageAt: now,
    stepTimes: [], lastStep: -1, lastStepAt: 0, sawStep: false, stalled: false, stalledAt: 0, stallStop: null, stopMode: null, done: null, error: null, exits: [],
    progress: null, lastProgressEmit: 0, killTimers: [], controlAfterId,
  };
}

/** Records a progress message: the live progress, and the time per step of training. */
export function recordProgress(a: ActiveRun, msg: Extract<WorkerToMain, { type: 'progress' }>, now = Date.now()): void {
  if (msg.phase === 'train' && msg.step !== a.lastStep) {
    if (a.lastStep >= 0 && msg.step > a.lastStep) {
      a.stepTimes.push((now - a.lastStepAt) / (msg.step - a.lastStep));
      if (a.stepTimes.length > 50) a.stepTimes.shift();
    }
    a.sawStep = true;
    a.lastStep = msg.step;
    a.lastStepAt = now;
  }
  a.progress = {
    epoch: msg.epoch, step: msg.step, totalSteps: msg.totalSteps, samplesPerSecond: msg.samplesPerSecond, etaSeconds: msg.etaSeconds,
    phase: msg.phase, message: msg.message ?? null, done: msg.done ?? null, total: msg.total ?? null,
  };
}

export function describeExit(e: WorkerExit): string {
  if (e.signal) return `signal ${e.signal}`;
  if (e.code === null) return 'no exit code (the process could not be started)';
  return `code ${e.code}`;
}

/** How a run ended once all its workers exited, and the error to show for a failure. */
export function runOutcome(a: ActiveRun, exit: WorkerExit, closing: boolean): { status: RunStatus; error: string | null } {
  const doneStatus = a.done?.status;
  // A run that completed its last step finished, even if a cancel arrived meanwhile.
  if (doneStatus === 'finished') return { status: 'finished', error: null };
  if (a.stopMode === 'cancel') return { status: 'cancelled', error: null };
  if (doneStatus === 'paused' || doneStatus === 'cancelled') return { status: doneStatus, error: null };
  if (closing && !a.error) return { status: 'interrupted', error: 'the workbench closed before the run could pause' };
  if (a.stallStop) {
    const tails = a.exits.map((e) => ({ rank: e.rank, lines: e.stderrTail.slice(-STDERR_IN_ERROR) })).filter((x) => x.lines.length > 0);
    const how = a.exits.map((e) => `rank ${e.rank} ended by ${describeExit(e)}`).join(', ');
    return { status: 'failed', error: [`${a.stallStop}; ${how}`, ...tails.map((x) => `last output of rank ${x.rank}:\n${x.lines.join('\n')}`)].join('\n') };
  }
  const failing = a.error?.fromExit ?? a.exits.find((e) => e.code !== 0) ?? exit;
  const tail = failing.stderrTail.slice(-STDERR_IN_ERROR).join('\n');
  const reported = a.error && !a.error.fromExit ? a.error : null;
  let error = reported
    ? `rank ${reported.rank}: ${reported.message}${reported.field && !reported.message.startsWith(`${reported.field}:`) && !reported.message.startsWith(`${flagOf(reported.field)}:`) ? ` (field ${reported.field})` : ''}`
    : `rank ${failing.rank} exited with ${describeExit(failing)} before finishing`;
  // A rank that reported an error normally exits with code 1; anything else (a signal) is worth saying.
  if (reported && (failing.signal || failing.code !== 1)) error += ` (rank ${failing.rank} exited with ${describeExit(failing)})`;
  if (tail) error += `\nlast output of rank ${failing.rank}:\n${tail}`;
  if (reported?.name === 'ConfigError' && !a.sawStep) error += `\n${CONFIG_FAILURE_NOTE}.`;
  return { status: 'failed', error };
}

/** Null while the run reports often enough; else why it counts as stalled, with its workers' last output. */
export function stallReport(a: ActiveRun, t: StallThresholds, now = Date.now()): { reason: string; error: string } | null {
  if (a.stalled || a.stopMode === 'cancel') return null;
  const limit = stallLimitMs(a.stepTimes, a.sawStep, t);
  const silent = now - a.lastMessageAt;
  if (silent <= limit) return null;
  const medianMs = median(a.stepTimes);
  const reason = `no report for ${(silent / 1000).toFixed(0)} s (limit ${(limit / 1000).toFixed(0)} s${medianMs !== null ? `, median step ${(medianMs / 1000).toFixed(2)} s` : ', before the first step'})`;
  const tails = a.group.workers.map((w) => ({ rank: w.rank, lines: a.group.stderrOf(w.rank).slice(-STDERR_IN_ERROR) })).filter((x) => x.lines.length > 0);
  return { reason, error: [reason, ...tails.map((x) => `last output of rank ${x.rank}:\n${x.lines.join('\n')}`)].join('\n') };
}
