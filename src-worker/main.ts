/**
 * A worker process: one per GPU (or several sharing the CPU cores). The main process forks it, sends one
 * job over IPC, and records what it streams back: logs, batched metrics, progress, checkpoints,
 * evaluations, then `done` or `error`. Everything that arrives is validated (protocol.ts).
 */
import { parseMessage, MainToWorker, type Job, type MetricPoint, type WorkerToMain } from './protocol';
import { initBackend } from './backend/select';
import { runTraining } from './train/trainer';
import type { TrainerHooks } from './hooks';
import { communicatorFromEnv } from './dist/env';
import { runEvalJob } from './eval/eval-job';
import { explainWasmAbort } from './train/memory';
import * as tf from '@tensorflow/tfjs';

// The launcher sets CLIPWB_RANK only for runs of several workers (with the rest of the dist variables).
const rank = Number(process.env.CLIPWB_RANK ?? '0');
let stopRequest: 'cancel' | 'pause' | null = null;
let checkpointNow = false;
let pendingPoints: MetricPoint[] = [];
let flushTimer: NodeJS.Timeout | null = null;

/** Sends to the main process; once it is gone (disconnect), messages go to stderr or nowhere. */
function send(msg: WorkerToMain, then?: () => void): void {
  if (process.send && process.connected) {
    process.send(msg, undefined, undefined, () => then?.());
    return;
  }
  if (msg.type === 'log' || msg.type === 'error') console.error(`[rank ${rank}] ${msg.message}`);
  then?.();
}

/** Exits once the last message has been handed to the IPC channel (a timer alone can lose it). */
function exitAfter(msg: WorkerToMain, code: number): void {
  const fallback = setTimeout(() => process.exit(code), 2000);
  send(msg, () => { clearTimeout(fallback); process.exit(code); });
}

function flushMetrics(): void {
  if (flushTimer) { clearTimeout(flushTimer); flushTimer = null; }
  if (pendingPoints.length === 0) return;
  send({ type: 'metrics', points: pendingPoints });
  pendingPoints = [];
}

const hooks: TrainerHooks = {
  log: (level, message) => send({ type: 'log', rank, level, message, time: Date.now() }),
  metrics: (points) => {
    pendingPoints.push(...points);
    // Batched: the main process commits points in transactions and the UI redraws a few times a second.
    if (pendingPoints.length > 5000) flushMetrics();
    else flushTimer ??= setTimeout(flushMetrics, 250);
  },
  progress: (p) => send({ type: 'progress', ...p }),
  checkpoint: (c) => { flushMetrics(); send({ type: 'checkpoint', ...c }); },
  evaluation: (e) => { flushMetrics(); send({ type: 'eval', ...e }); },
  stopRequest: () => stopRequest,
  checkpointRequest: () => { const r = checkpointNow; checkpointNow = false; return r; },
};

async function runJob(job: Job): Promise<void> {
  // The job's config was validated on receipt (protocol.ts); its warnings were recorded when the run was created.
  const backend = await initBackend(job.kind === 'train' ? job.config.backend : job.backend);
  send({ type: 'ready', rank, pid: process.pid, backend: { name: backend.name, provider: backend.provider, gpu: backend.gpu, attempts: backend.attempts } });
  if (job.kind === 'train') {
    const { config } = job;
    const comm = communicatorFromEnv();
    try {
      const summary = await runTraining({ runId: job.runId, outDir: job.outDir, dataDir: job.dataDir, config, resumeFrom: job.resumeFrom, comm }, hooks);
      flushMetrics();
      comm.close();
      exitAfter({ type: 'done', summary: { ...summary } }, 0);
    } catch (err) {
      comm.close();
      throw err;
    }
  } else {
    const result = await runEvalJob(job, hooks);
    flushMetrics();
    exitAfter({ type: 'done', summary: { ...result } }, 0);
  }
}

function currentBackend(): string | null {
  try {
    return tf.getBackend() ?? null;
  } catch {
    return null;
  }
}

function fail(raw: unknown): void {
  // A wasm heap that ran out aborts with `Aborted()` or an out-of-bounds access: say it ran out of memory.
  const err = explainWasmAbort(raw, currentBackend());
  const e = err as Error & { field?: string };
  flushMetrics();
  exitAfter({ type: 'error', rank, name: e?.name ?? 'Error', message: e?.message ?? String(err), field: e?.field, stack: e?.stack }, 1);
}

process.on('message', (raw) => {
  let msg: MainToWorker;
  try {
    msg = parseMessage(MainToWorker, raw, 'main → worker');
  } catch (err) {
    fail(err);
    return;
  }
  if (msg.type === 'start') {
    runJob(msg.job).catch(fail);
  } else if (msg.type === 'stop') {
    stopRequest = msg.mode;
  } else {
    checkpointNow = true;
  }
});
process.on('disconnect', () => {
  // The main process is gone: nobody records what we do, so stop at the next step (with a checkpoint).
  stopRequest ??= 'pause';
});
// Signals stop at the next step instead of killing mid-write: SIGINT pauses (checkpoint), SIGTERM
// cancels. The supervisor escalates to SIGKILL if a worker does not stop in time.
process.on('SIGINT', () => { stopRequest ??= 'pause'; });
process.on('SIGTERM', () => { stopRequest = 'cancel'; });
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);
if (!process.send) {
  console.error('src-worker/main.ts is started by the workbench (clipwb train, the app); it takes its job over IPC.');
  process.exit(2);
}
