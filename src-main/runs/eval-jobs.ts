/**
 * Evaluation jobs: each evaluates one checkpoint on some tasks in its own worker process, so a crash or
 * an out-of-memory in evaluation never takes the app down. A batch (every checkpoint of a run) runs its
 * jobs one after the other: evaluations share the devices with training.
 */
import path from 'node:path';
import type { Job, WorkerToMain } from '../../src-worker/protocol';
import { ConfigError } from '../../src-shared/config/train-config';
import { loadTaskList, resolveTasks } from '../../src-worker/eval/task-list';
import type { Checkpoint, Run } from '../store';
import type { ApiEvent } from '../../src-shared/api/types';
import type { WorkerDevice } from '../gpu/worker-env';
import { WorkerGroup } from './launcher';

export interface EvalJobInfo {
  id: number;
  checkpointId: number | null;
  runId: string | null;
  checkpointPath: string;
  tasks: string[];
  status: 'queued' | 'running' | 'done' | 'failed';
  error: string | null;
  /** The worker's summary (results file, outcomes, average) once done. */
  summary: Record<string, unknown> | null;
  /** The step evaluated and each task's main metric, from the worker's results (for the "finished" notice). */
  outcome?: { step: number; results: { task: string; metric: string | null; value: number | null }[] };
}

/** "fashion_mnist acc1 0.7092, imagenet1k acc1 0.4120": what an evaluation found, for notices. */
export function describeEvalOutcome(results: readonly { task: string; metric: string | null; value: number | null }[]): string {
  return results.map((r) => `${r.task}${r.metric ? ` ${r.metric}` : ''} ${r.value === null ? 'n/a' : Number(r.value.toPrecision(4))}`).join(', ');
}

export interface EvalOwner {
  checkpointId: number;
  runId: string;
  runName: string;
}

export interface EvalJobHost {
  cudaCacheDir: string;
  workerEnv?: Record<string, string>;
  /** Devices for one evaluation worker now (a free GPU, else the CPU). */
  devicesFor(requested: string[]): { devices: WorkerDevice[]; labels: string[] };
  /** Results of an owned checkpoint, to be recorded. */
  record(owner: EvalOwner, msg: Extract<WorkerToMain, { type: 'eval' }>): void;
  log(runId: string | null, level: 'info' | 'warn' | 'error', message: string): void;
  notify(level: 'info' | 'warn' | 'error', title: string, body: string, runId?: string): void;
  emit(event: ApiEvent): void;
  /** False once the service is closing: no new evaluation worker starts. */
  canStart(): boolean;
  /** True once the service has closed: nothing is recorded or emitted any more. */
  closed(): boolean;
}

type EvalJob = Extract<Job, { kind: 'eval' }>;

interface Pending {
  info: EvalJobInfo;
  job: EvalJob;
  devices: string[];
  owner: EvalOwner | null;
  resolve: (info: EvalJobInfo) => void;
}

interface Running extends Pending {
  group: WorkerGroup;
  labels: string[];
}

export class EvalJobs {
  private nextId = 1;
  private readonly running = new Map<number, Running>();

  constructor(private readonly host: EvalJobHost) {}

  /** Creates a job; it starts when `start` is called (at once for one job, in turn for a batch). */
  create(job: EvalJob, devices: string[], owner: EvalOwner | null): { info: EvalJobInfo; start: () => Promise<EvalJobInfo> } {
    const info: EvalJobInfo = {
      id: this.nextId++, checkpointId: owner?.checkpointId ?? null, runId: owner?.runId ?? null, checkpointPath: job.checkpoint,
      tasks: [...job.tasks], status: 'queued', error: null, summary: null,
    };
    const start = () => new Promise<EvalJobInfo>((resolve) => this.launch({ info, job, devices, owner, resolve }));
    return { info, start };
  }

  /** Marks a job that will never start (the service closed, an earlier failure) as failed. */
  abandon(info: EvalJobInfo, reason: string): EvalJobInfo {
    info.status = 'failed';
    info.error = reason;
    this.publish(info, 1, 1, reason);
    return { ...info };
  }

  /** PIDs of the evaluation workers, with the run whose checkpoint each evaluates (null: a bare file). */
  pids(): [number, string | null][] {
    return [...this.running.values()].flatMap((r) => r.group.pids.map((pid): [number, string | null] => [pid, r.owner?.runId ?? null]));
  }

  /** Device labels held by running evaluations (gpu:N, cpu). */
  deviceLabels(): string[] {
    return [...this.running.values()].flatMap((r) => r.labels);
  }

  get size(): number {
    return this.running.size;
  }

  killAll(signal: NodeJS.Signals): void {
    for (const r of this.running.values()) r.group.kill(signal);
  }

  /** Resolves when no evaluation worker is left, or after `ms`. */
  async drain(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.running.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }

  private launch(p: Pending): void {
    if (!this.host.canStart()) {
      p.resolve(this.abandon(p.info, 'the workbench closed before this evaluation started'));
      return;
    }
    const { info, owner } = p;
    const { devices, labels } = this.host.devicesFor(p.devices);
    info.status = 'running';
    let group: WorkerGroup;
    try {
      group = new WorkerGroup({ job: p.job, devices, cudaCacheDir: this.host.cudaCacheDir, env: this.host.workerEnv }, {
        onMessage: (_rank, msg) => this.onMessage(info, owner, msg),
        onProtocolError: (_rank, err) => { info.error ??= err.message; group.kill('SIGKILL'); },
        onExit: (exit) => {
          if (group.alive) return;
          this.running.delete(info.id);
          info.status = exit.code === 0 && !info.error ? 'done' : 'failed';
          if (info.status === 'failed' && !info.error) {
            const tail = exit.stderrTail.slice(-5).join(' | ');
            info.error = `evaluation worker exited with ${exit.signal ? `signal ${exit.signal}` : `code ${String(exit.code)}`}${tail ? `: ${tail}` : ''}`;
          }
          if (!this.host.closed()) this.finished(info, owner);
          p.resolve({ ...info });
        },
      });
    } catch (err) {
      p.resolve(this.abandon(info, `could not start the evaluation worker: ${(err as Error).message}`));
      return;
    }
    this.running.set(info.id, { ...p, group, labels });
    this.publish(info, 0, 0, `evaluating ${path.basename(p.job.checkpoint)} on ${labels.join(', ')}`);
  }

  private onMessage(info: EvalJobInfo, owner: EvalOwner | null, msg: WorkerToMain): void {
    if (this.host.closed()) return;
    switch (msg.type) {
      case 'eval':
        if (owner) this.host.record(owner, msg);
        info.outcome = {
          step: msg.step,
          results: msg.results.map((r) => ({ task: r.key, metric: r.mainMetric, value: r.mainMetric ? (r.metrics[r.mainMetric] ?? null) : null })),
        };
        break;
      case 'progress':
        this.publish(info, msg.done ?? 0, msg.total ?? 0, msg.message ?? '');
        break;
      case 'log':
        if (owner) this.host.log(owner.runId, msg.level === 'debug' ? 'info' : msg.level, msg.message);
        this.publish(info, 0, 0, msg.message);
        break;
      case 'error':
        info.error ??= msg.message;
        break;
      case 'done':
        info.summary = msg.summary;
        break;
      default:
        break;
    }
  }

  private finished(info: EvalJobInfo, owner: EvalOwner | null): void {
    const where = `${owner?.runName ?? path.basename(info.checkpointPath)}${info.outcome ? ` at step ${info.outcome.step}` : ''}`;
    const what = `${where}: ${info.outcome && info.outcome.results.length > 0 ? describeEvalOutcome(info.outcome.results) : info.tasks.join(', ')}`;
    if (info.status === 'done') {
      const outcomes = (info.summary?.outcomes ?? []) as { key?: string; status?: string; reason?: string }[];
      const missed = outcomes.filter((o) => o.status === 'skipped' || o.status === 'failed');
      const note = missed.length > 0 ? ` (${missed.map((o) => `${o.key ?? '?'} ${o.status ?? ''}: ${o.reason ?? ''}`).join('; ')})` : '';
      this.host.notify(missed.length > 0 ? 'warn' : 'info', 'Evaluation finished', `${what}${note}`, owner?.runId);
    } else {
      this.host.notify('error', 'Evaluation failed', `${what}: ${info.error ?? ''}`, owner?.runId);
    }
    this.publish(info, 1, 1, info.status);
  }

  private publish(info: EvalJobInfo, done: number, total: number, message: string): void {
    if (info.status === 'queued' || this.host.closed()) return;
    this.host.emit({
      type: 'eval-job',
      job: { id: info.id, checkpointId: info.checkpointId, runId: info.runId, tasks: [...info.tasks], status: info.status, error: info.error },
      done, total, message,
    });
  }
}

export interface EvalOptions {
  datacompPath?: string | null;
  resultsDir?: string;
  batchSize?: number;
  backend?: 'auto' | 'tensorflow' | 'wasm' | 'cpu';
  /** For weights without a sidecar. */
  model?: string | null;
  vocab?: string | null;
  devices?: string[];
}

/** The worker's job for one checkpoint file. */
export function evalJobSpec(dataDir: string, checkpointPath: string, tasks: string[], options: EvalOptions): EvalJob {
  return {
    kind: 'eval', checkpoint: checkpointPath, tasks, dataDir,
    datacompPath: options.datacompPath ?? null,
    resultsDir: options.resultsDir ?? path.dirname(path.dirname(path.resolve(checkpointPath))),
    batchSize: options.batchSize ?? 256, backend: options.backend ?? 'auto', model: options.model ?? null, vocab: options.vocab ?? null,
  };
}

/** A run's checkpoint: its eval sets default to the run's, its results go to the run folder. */
export function evalOptionsForRun(run: Run, ckpt: Checkpoint, options: EvalOptions): EvalOptions {
  const datacompPath = (run.config as { datacompPath?: unknown }).datacompPath;
  return {
    ...options,
    datacompPath: options.datacompPath ?? (typeof datacompPath === 'string' ? datacompPath : null),
    resultsDir: options.resultsDir ?? run.outDir ?? path.dirname(path.dirname(ckpt.path)),
  };
}

/** Unknown task names fail here, before a worker starts, with the list of known ones. */
export function checkEvalTasks(tasks: string[]): void {
  if (tasks.length === 0) throw new ConfigError('tasks', 'no evaluation task given', 'Choose at least one task, e.g. fashion_mnist or imagenet1k,mscoco');
  try {
    resolveTasks(loadTaskList(), tasks);
  } catch (err) {
    throw new ConfigError('tasks', (err as Error).message.replace(/^--tasks: /, ''));
  }
}
