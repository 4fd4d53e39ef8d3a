/**
 * The run service: creates runs from validated configs, queues them, starts them on free devices,
 * records everything their workers report, and handles the ways runs end (finished, cancelled, paused,
 * failed, stalled, interrupted). The CLI and the app use the same service on the same store, so every
 * run the user makes is in one place.
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { type Store, type Run, type RunStatus, type JsonObject, appendMetrics, supersedeMetricsAfter } from '../store';
import { dataLayout } from '../paths';
import { ConfigError, parseTrainArgs, toCommandLine, validateTrainConfig, type TrainConfig } from '../../src-worker/train/config';
import type { Job, WorkerToMain } from '../../src-worker/protocol';
import type { ApiEvent, RunSummary } from '../api/types';
import { WorkerGroup, type WorkerExit } from './launcher';
import { decide, type GpuState } from './scheduler';
import { runSummary, type LiveProgress } from './summary';

export interface RunServiceOptions {
  store: Store;
  dataDir: string;
  /** Current GPU state for the scheduler; none means CPU only. */
  gpus?: () => GpuState[];
  /** How many CPU runs may run at once (they share the cores). */
  cpuSlots?: number;
  /** A run is stalled after this many median step times without a message (at least minStallMs). */
  stallFactor?: number;
  minStallMs?: number;
  /** A failure this soon after start counts as fast; 3 in a row pause the queue. */
  fastFailureMs?: number;
  /** Grace periods of a cancel: the worker's own stop, then SIGTERM, then SIGKILL. */
  cancelGraceMs?: number;
  /** Start queued runs automatically (the CLI starts its own run explicitly). */
  autoStart?: boolean;
  origin?: 'app' | 'cli';
  /** Extra worker environment (tests). */
  workerEnv?: Record<string, string>;
}

export interface CreateRunInput {
  /** A config object (the wizard) or `clipwb train` arguments. */
  config: Record<string, unknown> | string[];
  name?: string;
  tags?: string[];
  notes?: string;
}

interface ActiveRun {
  runId: string;
  group: WorkerGroup;
  startedAt: number;
  ready: Set<number>;
  lastMessageAt: number;
  stepTimes: number[];
  lastStep: number;
  lastStepAt: number;
  stalled: boolean;
  stopMode: 'cancel' | 'pause' | null;
  done: Record<string, unknown> | null;
  error: { rank: number; message: string; field?: string } | null;
  exits: WorkerExit[];
  progress: LiveProgress | null;
  lastProgressEmit: number;
  killTimers: NodeJS.Timeout[];
}

export interface EvalJobInfo {
  id: number;
  checkpointId: number | null;
  runId: string | null;
  tasks: string[];
  status: 'running' | 'done' | 'failed';
  error: string | null;
  /** The worker's summary (results file, outcomes, average) once done. */
  summary: Record<string, unknown> | null;
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

export class RunService extends EventEmitter<{ event: [ApiEvent] }> {
  private readonly active = new Map<string, ActiveRun>();
  private readonly evalJobs = new Map<number, EvalJobInfo & { group: WorkerGroup }>();
  private nextEvalId = 1;
  private fastFailures = 0;
  private queuePaused = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly waiters = new Map<string, ((run: Run) => void)[]>();
  readonly store: Store;

  constructor(private readonly o: RunServiceOptions) {
    super();
    this.store = o.store;
    this.recoverInterrupted();
    this.timer = setInterval(() => this.tick(), 2000);
    this.timer.unref();
  }

  // ---------------------------------------------------------------- runs

  validate(config: Record<string, unknown> | string[]): { config: TrainConfig; warnings: string[]; command: string } {
    const v = Array.isArray(config) ? parseTrainArgs(config) : validateTrainConfig(config);
    return { ...v, command: toCommandLine(v.config) };
  }

  createRun(input: CreateRunInput): Run {
    const { config, warnings } = this.validate(input.config);
    const name = input.name ?? config.name ?? defaultRunName(config);
    const run = this.store.runs.create({ name, config: { ...config } as unknown as JsonObject, status: 'queued', tags: input.tags ?? [], notes: input.notes ?? '', origin: this.o.origin ?? 'app' });
    const outDir = config.logs ? path.join(config.logs, run.id) : dataLayout(this.o.dataDir).runDir(run.id);
    const updated = this.store.runs.update(run.id, { outDir });
    for (const w of warnings) this.addEvent(run.id, 'warn', 'config', w);
    this.emitRun(updated.id);
    if (this.o.autoStart ?? true) setImmediate(() => this.tick());
    return updated;
  }

  /** Starts a queued run now if its devices are free; returns why not otherwise. */
  startRun(runId: string): { started: boolean; reason: string | null } {
    const run = this.store.runs.require(runId);
    if (run.status !== 'queued') return { started: false, reason: `run is ${run.status}, not queued` };
    return this.tryStart(run);
  }

  cancel(runId: string): void {
    const a = this.active.get(runId);
    if (!a) {
      const run = this.store.runs.require(runId);
      if (run.status === 'queued' || run.status === 'paused' || run.status === 'interrupted') this.setStatus(runId, 'cancelled');
      return;
    }
    a.stopMode = 'cancel';
    a.group.send({ type: 'stop', mode: 'cancel' });
    const grace = this.o.cancelGraceMs ?? 10_000;
    a.killTimers.push(setTimeout(() => a.group.kill('SIGTERM'), grace), setTimeout(() => a.group.kill('SIGKILL'), grace * 1.5));
  }

  /** Pause = write a checkpoint at the next step, then stop; resume continues from it. */
  pause(runId: string): void {
    const a = this.active.get(runId);
    if (!a) throw new Error(`run ${runId} is not running`);
    a.stopMode = 'pause';
    a.group.send({ type: 'stop', mode: 'pause' });
  }

  checkpointNow(runId: string): void {
    const a = this.active.get(runId);
    if (!a) throw new Error(`run ${runId} is not running`);
    a.group.send({ type: 'checkpoint-now' });
  }

  /** Queues a paused, failed, stalled or interrupted run again; it continues from its last checkpoint. */
  resume(runId: string): Run {
    const run = this.store.runs.require(runId);
    if (this.active.has(runId)) throw new Error(`run ${runId} is still running`);
    if (!['paused', 'failed', 'interrupted', 'cancelled', 'stalled'].includes(run.status)) throw new Error(`run ${runId} is ${run.status}; only paused, failed, cancelled or interrupted runs resume`);
    const ckpt = this.store.checkpoints.latestForRun(runId);
    if (!ckpt) throw new Error(`run ${runId} has no checkpoint to resume from; start it again instead`);
    supersedeMetricsAfter(this.store, runId, ckpt.step);
    this.store.runs.update(runId, { error: null });
    this.setStatus(runId, 'queued');
    this.addEvent(runId, 'info', 'resume', `resuming from ${ckpt.path} (step ${ckpt.step})`);
    setImmediate(() => this.tick());
    return this.store.runs.require(runId);
  }

  resumeQueue(): void {
    this.queuePaused = false;
    this.fastFailures = 0;
    this.notify('info', 'Queue resumed', 'Queued runs start again as devices free up.');
    this.tick();
  }

  get isQueuePaused(): boolean { return this.queuePaused; }

  summary(runId: string): RunSummary {
    return runSummary(this.store, this.store.runs.require(runId), this.active.get(runId)?.progress ?? null);
  }

  /** Resolves when the run reaches a status in which it holds no process. */
  waitForRun(runId: string): Promise<Run> {
    const run = this.store.runs.require(runId);
    if (!this.active.has(runId) && run.status !== 'queued' && run.status !== 'starting') return Promise.resolve(run);
    return new Promise((resolve) => {
      const list = this.waiters.get(runId) ?? [];
      list.push(resolve);
      this.waiters.set(runId, list);
    });
  }

  activeRunIds(): string[] { return [...this.active.keys()]; }

  workerPids(): Map<number, string> {
    const out = new Map<number, string>();
    for (const a of this.active.values()) for (const pid of a.group.pids) out.set(pid, a.runId);
    return out;
  }

  // ---------------------------------------------------------------- evaluation

  /** Evaluates a checkpoint of a run in a worker process; results go to the store as they arrive. */
  evaluate(checkpointId: number, tasks: string[], options: EvalOptions = {}): { job: EvalJobInfo; done: Promise<EvalJobInfo> } {
    const ckpt = this.store.checkpoints.require(checkpointId);
    const run = this.store.runs.require(ckpt.runId);
    const config = run.config as Partial<TrainConfig>;
    return this.evaluatePath(ckpt.path, tasks, {
      ...options,
      datacompPath: options.datacompPath ?? config.datacompPath ?? null,
      resultsDir: options.resultsDir ?? run.outDir ?? path.dirname(path.dirname(ckpt.path)),
    }, { checkpointId, runId: run.id, runName: run.name });
  }

  /**
   * Evaluates any checkpoint file (also one the store does not know, e.g. an open_clip export; then the
   * results go to the results file only).
   */
  evaluatePath(checkpointPath: string, tasks: string[], options: EvalOptions = {}, owner?: { checkpointId: number; runId: string; runName: string }): { job: EvalJobInfo; done: Promise<EvalJobInfo> } {
    if (tasks.length === 0) throw new ConfigError('tasks', 'no evaluation task given', 'Choose at least one task, e.g. fashion_mnist or imagenet1k,mscoco');
    const job: Job = {
      kind: 'eval', checkpoint: checkpointPath, tasks, dataDir: this.o.dataDir,
      datacompPath: options.datacompPath ?? null,
      resultsDir: options.resultsDir ?? path.dirname(path.dirname(path.resolve(checkpointPath))),
      batchSize: options.batchSize ?? 256, backend: options.backend ?? 'auto', model: options.model ?? null, vocab: options.vocab ?? null,
    };
    const id = this.nextEvalId++;
    const info: EvalJobInfo = { id, checkpointId: owner?.checkpointId ?? null, runId: owner?.runId ?? null, tasks, status: 'running', error: null, summary: null };
    let resolveDone!: (j: EvalJobInfo) => void;
    const done = new Promise<EvalJobInfo>((r) => { resolveDone = r; });
    const decision = decide({ nproc: 1, devices: options.devices ?? [] }, this.schedulerState(0));
    const devices = decision.kind === 'start' ? decision.devices : [{ kind: 'cpu' as const }];
    const group = new WorkerGroup({ job, devices, cudaCacheDir: dataLayout(this.o.dataDir).cudaCache, env: this.o.workerEnv }, {
      onMessage: (_rank, msg) => {
        if (msg.type === 'eval') {
          if (owner) this.recordEvaluation(owner.runId, msg, owner.checkpointId);
        } else if (msg.type === 'progress') {
          this.emit('event', { type: 'eval-job', job: { ...info }, done: msg.done ?? 0, total: msg.total ?? 0, message: msg.message ?? '' });
        } else if (msg.type === 'log') {
          if (owner) this.addEvent(owner.runId, msg.level, 'eval', msg.message);
          this.emit('event', { type: 'eval-job', job: { ...info }, done: 0, total: 0, message: msg.message });
        } else if (msg.type === 'error') {
          info.error = msg.message;
        } else if (msg.type === 'done') {
          info.summary = msg.summary;
        }
      },
      onProtocolError: (_rank, err) => { info.error = err.message; group.kill('SIGKILL'); },
      onExit: (exit) => {
        info.status = exit.code === 0 && !info.error ? 'done' : 'failed';
        if (info.status === 'failed' && !info.error) info.error = `evaluation worker exited with ${exit.signal ?? `code ${exit.code}`}: ${exit.stderrTail.slice(-5).join(' | ')}`;
        this.evalJobs.delete(id);
        const what = `${owner?.runName ?? path.basename(checkpointPath)}: ${tasks.join(', ')}`;
        this.notify(info.status === 'done' ? 'info' : 'error', info.status === 'done' ? 'Evaluation finished' : 'Evaluation failed',
          info.status === 'done' ? what : `${what}: ${info.error ?? ''}`, owner?.runId);
        this.emit('event', { type: 'eval-job', job: { ...info }, done: 1, total: 1, message: info.status });
        resolveDone({ ...info });
      },
    });
    this.evalJobs.set(id, { ...info, group });
    return { job: info, done };
  }

  // ---------------------------------------------------------------- internals

  private tick(): void {
    for (const [, a] of this.active) this.checkStall(a);
    if (this.queuePaused || !(this.o.autoStart ?? true)) return;
    const queued = this.store.runs.list({ statuses: ['queued'] }).sort((x, y) => x.createdAt - y.createdAt);
    for (const run of queued) {
      if (this.o.origin && run.origin !== this.o.origin && !this.ownedElsewhereIsDead(run)) continue;
      this.tryStart(run);
    }
  }

  /** A queued run made by the other front end (CLI vs app) is started by that front end. */
  private ownedElsewhereIsDead(_run: Run): boolean {
    return true;
  }

  private schedulerState(extraCpuRuns: number) {
    let cpuRuns = extraCpuRuns;
    const allocated = new Set<number>();
    for (const a of this.active.values()) {
      const run = this.store.runs.get(a.runId);
      for (const d of run?.devices ?? []) {
        if (d === 'cpu') cpuRuns++;
        else if (d.startsWith('gpu:')) allocated.add(Number(d.slice(4)));
      }
    }
    return { gpus: this.o.gpus?.() ?? [], allocated, ourPids: new Set(this.workerPids().keys()), cpuRuns, cpuSlots: this.o.cpuSlots ?? 1 };
  }

  private tryStart(run: Run): { started: boolean; reason: string | null } {
    const config = run.config as unknown as TrainConfig;
    const decision = decide({ nproc: config.nproc ?? 1, devices: config.devices ?? [] }, this.schedulerState(0));
    if (decision.kind === 'wait') return { started: false, reason: decision.reason };
    if (decision.kind === 'error') {
      this.store.runs.update(run.id, { error: decision.reason });
      this.setStatus(run.id, 'failed');
      return { started: false, reason: decision.reason };
    }
    const latest = this.store.checkpoints.latestForRun(run.id);
    const outDir = run.outDir ?? dataLayout(this.o.dataDir).runDir(run.id);
    fs.mkdirSync(outDir, { recursive: true });
    const job: Job = { kind: 'train', runId: run.id, outDir, dataDir: this.o.dataDir, config: run.config as Record<string, unknown>, resumeFrom: latest?.path ?? null };
    this.store.runs.update(run.id, { devices: decision.labels });
    this.setStatus(run.id, 'starting');
    const a: ActiveRun = {
      runId: run.id, group: undefined as unknown as WorkerGroup, startedAt: Date.now(), ready: new Set(), lastMessageAt: Date.now(),
      stepTimes: [], lastStep: -1, lastStepAt: 0, stalled: false, stopMode: null, done: null, error: null, exits: [], progress: null,
      lastProgressEmit: 0, killTimers: [],
    };
    this.active.set(run.id, a);
    a.group = new WorkerGroup({ job, devices: decision.devices, cudaCacheDir: dataLayout(this.o.dataDir).cudaCache, env: this.o.workerEnv }, {
      onMessage: (rank, msg) => this.onMessage(a, rank, msg),
      onProtocolError: (rank, err) => {
        a.error = { rank, message: err.message };
        a.group.kill('SIGKILL');
      },
      onExit: (exit) => this.onExit(a, exit),
    });
    this.store.runs.update(run.id, { pids: a.group.pids });
    this.addEvent(run.id, 'info', 'start', `started on ${decision.labels.join(', ')}${latest ? `, resuming from ${latest.path}` : ''} (pids ${a.group.pids.join(', ')})`);
    return { started: true, reason: null };
  }

  private onMessage(a: ActiveRun, rank: number, msg: WorkerToMain): void {
    a.lastMessageAt = Date.now();
    if (a.stalled) {
      a.stalled = false;
      this.setStatus(a.runId, 'running');
      this.addEvent(a.runId, 'info', 'stall', 'the run reports again');
    }
    switch (msg.type) {
      case 'ready':
        a.ready.add(rank);
        this.addEvent(a.runId, 'info', 'worker', `rank ${rank} (pid ${msg.pid}) computes on ${msg.backend.name} (${msg.backend.provider})${msg.backend.gpu ? ' GPU' : ''}`);
        if (a.ready.size === a.group.workers.length) this.setStatus(a.runId, 'running');
        break;
      case 'log':
        this.addEvent(a.runId, msg.level, 'log', rank === 0 ? msg.message : `[rank ${rank}] ${msg.message}`);
        break;
      case 'metrics': {
        const points = msg.points.map((p) => ({ key: p.key, step: p.step, value: p.value ?? Number.NaN, wallTime: p.wall }));
        appendMetrics(this.store, a.runId, points);
        this.emit('event', { type: 'metrics', runId: a.runId, points: msg.points });
        break;
      }
      case 'progress': {
        if (msg.phase === 'train' && msg.step !== a.lastStep) {
          const now = Date.now();
          if (a.lastStep >= 0 && msg.step > a.lastStep) {
            a.stepTimes.push((now - a.lastStepAt) / (msg.step - a.lastStep));
            if (a.stepTimes.length > 50) a.stepTimes.shift();
          }
          a.lastStep = msg.step;
          a.lastStepAt = now;
        }
        a.progress = { epoch: msg.epoch, step: msg.step, totalSteps: msg.totalSteps, samplesPerSecond: msg.samplesPerSecond, etaSeconds: msg.etaSeconds, phase: msg.phase, message: msg.message ?? null, done: msg.done ?? null, total: msg.total ?? null };
        if (Date.now() - a.lastProgressEmit > 250) {
          a.lastProgressEmit = Date.now();
          this.emitRun(a.runId);
        }
        break;
      }
      case 'checkpoint': {
        const c = this.store.checkpoints.add({ runId: a.runId, path: msg.path, epoch: msg.epoch, step: msg.step, sizeBytes: msg.sizeBytes });
        this.store.runs.update(a.runId, { resumable: true });
        this.emit('event', { type: 'checkpoint', checkpoint: { id: c.id, runId: a.runId, path: c.path, epoch: c.epoch, step: c.step, sizeBytes: c.sizeBytes, createdAt: c.createdAt } });
        break;
      }
      case 'eval':
        this.recordEvaluation(a.runId, msg, null);
        break;
      case 'done':
        a.done = msg.summary;
        break;
      case 'error':
        a.error ??= { rank: msg.rank, message: msg.message, field: msg.field };
        this.addEvent(a.runId, 'error', 'error', `rank ${msg.rank}: ${msg.name}: ${msg.message}`);
        break;
    }
  }

  private recordEvaluation(runId: string, msg: Extract<WorkerToMain, { type: 'eval' }>, checkpointId: number | null): void {
    const ckptId = checkpointId ?? (msg.checkpointPath ? this.store.checkpoints.getByPath(msg.checkpointPath)?.id ?? null : null);
    for (const r of msg.results) {
      const metrics: Record<string, number | null> = {};
      for (const [k, v] of Object.entries(r.metrics)) if (k !== 'main_metric') metrics[k] = v;
      this.store.evaluations.recordTask({
        target: ckptId !== null ? { checkpointId: ckptId } : { runId, epoch: msg.epoch },
        task: r.key, metrics, mainMetric: r.mainMetric && r.mainMetric in metrics ? r.mainMetric : null,
      });
    }
    const rows = this.store.evaluations.list({ runIds: [runId] }).map((e) => ({
      runId, runName: this.store.runs.get(runId)?.name ?? runId, checkpointId: e.checkpointId, epoch: e.epoch, step: e.step,
      task: e.task, metric: e.metric, value: e.value, isMain: e.isMain,
    }));
    this.emit('event', { type: 'evaluation', runId, rows });
    const main = msg.results.map((r) => `${r.key}: ${r.mainMetric ? (r.metrics[r.mainMetric] ?? NaN).toFixed(4) : '-'}`).join(', ');
    this.addEvent(runId, 'info', 'eval', `evaluation at epoch ${msg.epoch}: ${main}`);
  }

  private onExit(a: ActiveRun, exit: WorkerExit): void {
    a.exits.push(exit);
    const abnormal = exit.code !== 0;
    if (abnormal && a.group.alive) {
      // One rank died: the others would wait on it at the next collective; stop them now.
      this.addEvent(a.runId, 'error', 'worker', `rank ${exit.rank} exited with ${exit.signal ?? `code ${exit.code}`}; stopping the other ranks`);
      a.error ??= { rank: exit.rank, message: `rank ${exit.rank} exited with ${exit.signal ?? `code ${exit.code}`}` };
      a.killTimers.push(setTimeout(() => a.group.kill('SIGTERM'), 3000), setTimeout(() => a.group.kill('SIGKILL'), 8000));
    }
    if (a.group.alive) return;
    for (const t of a.killTimers) clearTimeout(t);
    this.active.delete(a.runId);
    const hasCheckpoint = this.store.checkpoints.latestForRun(a.runId) !== null;
    let status: RunStatus;
    let error: string | null = null;
    const doneStatus = a.done?.status;
    if (a.stopMode === 'cancel') status = 'cancelled';
    else if (doneStatus === 'finished' || doneStatus === 'paused' || doneStatus === 'cancelled') status = doneStatus;
    else {
      status = 'failed';
      const failing = a.exits.find((e) => e.code !== 0) ?? exit;
      const tail = failing.stderrTail.slice(-8).join('\n');
      error = a.error
        ? `rank ${a.error.rank}: ${a.error.message}${a.error.field ? ` (field ${a.error.field})` : ''}`
        : `rank ${failing.rank} exited with ${failing.signal ? `signal ${failing.signal}` : `code ${failing.code}`} before finishing`;
      if (tail) error += `\nlast output of rank ${failing.rank}:\n${tail}`;
    }
    this.store.runs.update(a.runId, { error, pids: [], resumable: status !== 'finished' && hasCheckpoint });
    this.setStatus(a.runId, status);
    const run = this.store.runs.require(a.runId);
    if (status === 'failed') {
      const fast = Date.now() - a.startedAt < (this.o.fastFailureMs ?? 120_000);
      this.fastFailures = fast ? this.fastFailures + 1 : 0;
      this.notify('error', 'Run failed', `${run.name}: ${(error ?? '').split('\n')[0]}`, a.runId);
      if (this.fastFailures >= 3 && !this.queuePaused) {
        this.queuePaused = true;
        this.notify('warn', 'Queue paused', '3 runs failed within 2 minutes of starting in a row; fix the cause, then resume the queue.');
      }
    } else {
      if (status === 'finished') this.fastFailures = 0;
      if (status === 'finished') this.notify('info', 'Run finished', run.name, a.runId);
    }
    for (const resolve of this.waiters.get(a.runId) ?? []) resolve(run);
    this.waiters.delete(a.runId);
    setImmediate(() => this.tick());
  }

  private checkStall(a: ActiveRun): void {
    if (a.stalled || a.stopMode) return;
    const sorted = [...a.stepTimes].sort((x, y) => x - y);
    const median = sorted.length > 0 ? sorted[Math.floor(sorted.length / 2)]! : 0;
    const limit = Math.max(this.o.minStallMs ?? 300_000, (this.o.stallFactor ?? 20) * median);
    if (Date.now() - a.lastMessageAt > limit) {
      a.stalled = true;
      this.setStatus(a.runId, 'stalled');
      const name = this.store.runs.get(a.runId)?.name ?? a.runId;
      this.notify('warn', 'Run stalled', `${name}: no report for ${Math.round((Date.now() - a.lastMessageAt) / 1000)} s (median step ${(median / 1000).toFixed(1)} s)`, a.runId);
    }
  }

  /** Runs left marked running by a process that is gone (app or CLI crash, reboot) become interrupted. */
  private recoverInterrupted(): void {
    for (const run of this.store.runs.list({ statuses: ['starting', 'running', 'stalled'] })) {
      if (run.pids.some(isAlive)) continue;
      const resumable = this.store.checkpoints.latestForRun(run.id) !== null;
      this.store.runs.update(run.id, { resumable, pids: [], error: 'the process that ran this run ended without recording an outcome (app or machine restart?)' });
      this.setStatus(run.id, 'interrupted');
      this.addEvent(run.id, 'warn', 'recover', `marked interrupted${resumable ? '; resume continues from the last checkpoint' : ' (no checkpoint to resume from)'}`);
    }
  }

  private setStatus(runId: string, status: RunStatus): void {
    this.store.runs.setStatus(runId, status);
    this.emitRun(runId);
  }

  private emitRun(runId: string): void {
    this.emit('event', { type: 'run', run: this.summary(runId) });
  }

  private addEvent(runId: string | null, level: 'debug' | 'info' | 'warn' | 'error', kind: string, message: string): void {
    const id = this.store.events.addOne({ runId, level, kind, message }).id;
    this.emit('event', { type: 'log', line: { id, runId, time: Date.now(), level, kind, message } });
  }

  private notify(level: 'info' | 'warn' | 'error', title: string, body: string, runId?: string): void {
    this.addEvent(runId ?? null, level, 'notification', `${title}: ${body}`);
    this.emit('event', { type: 'notification', level, title, body, runId });
  }

  /** Stops supervising: running runs are paused (checkpoint) and the call waits for them, up to a limit. */
  async close(options: { pauseRunning?: boolean; timeoutMs?: number } = {}): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const running = [...this.active.values()];
    for (const a of running) {
      if (options.pauseRunning ?? true) { a.stopMode = 'pause'; a.group.send({ type: 'stop', mode: 'pause' }); }
      else a.group.kill('SIGTERM');
    }
    for (const e of this.evalJobs.values()) e.group.kill('SIGTERM');
    if (running.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise((r) => { timer = setTimeout(r, options.timeoutMs ?? 60_000); });
      await Promise.race([Promise.all(running.map((a) => this.waitForRun(a.runId))), deadline]);
      clearTimeout(timer);
    }
    for (const a of this.active.values()) a.group.kill('SIGKILL');
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function defaultRunName(c: TrainConfig): string {
  const objective = c.fastclip ? (c.temperatureScheme === 'individual_learnable' ? 'fastclip-v2' : c.temperatureScheme === 'global_constant' ? 'fastclip-v1' : c.multiplyTau ? 'fastclip-v3' : 'fastclip-v0') : 'infonce';
  const teacher = c.distillMode ? `-${c.distillMode}` : '';
  return `${c.model}-${objective}${teacher}`;
}
