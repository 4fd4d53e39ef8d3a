import fs from 'node:fs';
import path from 'node:path';
/**
 * Runs the store says are running but no process of ours supervises: the app or the CLI that ran them
 * died (crash, kill, reboot). Once their workers are gone too, they become `interrupted`: resumable from
 * the last checkpoint, with the checkpoints their workers wrote on disk (a worker that loses its parent
 * pauses itself) recorded so that nothing is lost.
 */
import type { Run, Store } from '../store';
import { adoptCheckpointsOnDisk, removeAbandonedCheckpointTemps, usableCheckpoint } from './checkpoint-files';
import { isWorkerAlive } from './process-alive';
import { reconcileMetrics } from './reconcile-metrics';

export const LIVE_STATUSES = ['starting', 'running', 'stalled'] as const;

export function isLiveStatus(status: string): boolean {
  return (LIVE_STATUSES as readonly string[]).includes(status);
}

export function hasLiveWorker(run: Run): boolean {
  return run.pids.some(isWorkerAlive);
}

export interface Interrupted {
  run: Run;
  adopted: number;
  /** Metric points found in the run's metrics.jsonl that had not reached the store. */
  recoveredPoints: number;
  resumable: boolean;
}

/**
 * Marks the run interrupted if it is still in the same live state with the same PIDs (another process
 * may have recorded its real outcome meanwhile: that one wins). Returns null when it was not marked.
 */
export function markInterrupted(store: Store, seen: Run): Interrupted | null {
  return store.transaction(() => {
    const cur = store.runs.get(seen.id);
    if (!cur || !isLiveStatus(cur.status) || JSON.stringify(cur.pids) !== JSON.stringify(seen.pids)) return null;
    const adopted = adoptCheckpointsOnDisk(store, cur).length;
    const recoveredPoints = reconcileMetrics(store, cur.id, cur.outDir);
    removeAbandonedCheckpointTemps(cur.outDir);
    const resumable = usableCheckpoint(store, cur.id) !== null;
    store.runs.update(cur.id, {
      resumable, pids: [],
      error: 'the process that supervised this run ended without recording an outcome (app or CLI closed or crashed, or the machine restarted)',
    });
    const run = store.runs.setStatus(cur.id, 'interrupted');
    return { run, adopted, recoveredPoints, resumable };
  });
}

/**
 * For commands that only read the store (`clipwb runs list`, `runs show`): runs still marked live whose
 * workers are all gone and whose log has been quiet for `quietMs` become interrupted, as the next run
 * service would mark them, so that a listing does not show a dead run as running. The quiet period
 * leaves a supervisor that is alive the time to record how its worker ended.
 */
export function interruptDeadRuns(store: Store, quietMs = 10_000): number {
  let marked = 0;
  for (const run of store.runs.list({ statuses: [...LIVE_STATUSES] })) {
    if (hasLiveWorker(run)) continue;
    if (run.status === 'starting' && run.pids.length === 0) continue;
    const log = run.outDir ? path.join(run.outDir, 'out.log') : null;
    let quietFor = Number.POSITIVE_INFINITY;
    try { if (log) quietFor = Date.now() - fs.statSync(log).mtimeMs; } catch { /* no log: nothing was written */ }
    if (quietFor < quietMs) continue;
    if (markInterrupted(store, run)) marked += 1;
  }
  return marked;
}
