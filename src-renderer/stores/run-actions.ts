/**
 * Which of cancel / pause / resume a run allows in its status, mirroring the run service: pause needs
 * a live worker; resume continues from the last checkpoint of a stopped run; cancel stops anything not
 * yet over. Buttons are disabled, not hidden, so the layout does not jump as the status changes.
 */
import type { RunStatus, RunSummary } from '../../src-shared/api/types';

const PAUSABLE: readonly RunStatus[] = ['running', 'stalled'];
const RESUMABLE: readonly RunStatus[] = ['paused', 'failed', 'interrupted', 'cancelled', 'stalled'];
const CANCELLABLE: readonly RunStatus[] = ['queued', 'starting', 'running', 'paused', 'stalled', 'interrupted'];
const LIVE: readonly RunStatus[] = ['starting', 'running', 'stalled'];

export interface RunActions { pause: boolean; resume: boolean; cancel: boolean }

export function runActions(run: Pick<RunSummary, 'status' | 'resumable'>): RunActions {
  return {
    pause: PAUSABLE.includes(run.status),
    // A stalled run still has a worker; it must be paused or cancelled before it can resume.
    resume: RESUMABLE.includes(run.status) && run.status !== 'stalled' && run.resumable,
    cancel: CANCELLABLE.includes(run.status),
  };
}

/** Whether a run may still produce metrics, i.e. whether its charts should follow live events. */
export const isLive = (status: RunStatus): boolean => LIVE.includes(status);
