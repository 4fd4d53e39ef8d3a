/**
 * The run service: creates runs from validated configs, queues them, starts them on free devices,
 * records everything their workers report, and handles the ways runs end (finished, cancelled, paused,
 * failed, stalled, interrupted). The CLI and the app use the same service on the same store, so every
 * run the user makes is in one place; a run supervised by one of them can be paused or cancelled from
 * the other (control.ts).
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { type Store, type Run, type RunStatus, type JsonObject, type Checkpoint, appendMetrics, supersedeMetricsAfter } from '../store';
import { dataLayout } from '../paths';
import { WorkbenchError } from '../../src-shared/errors';
import { ConfigError, validateTrainConfig, type TrainConfig } from '../../src-shared/config/train-config';
import type { Job, WorkerToMain } from '../../src-worker/protocol';
import type { ApiEvent, RunSummary } from '../../src-shared/api/types';
import { WorkerGroup, type WorkerExit } from './launcher';
import { decide, type GpuState, type SchedulerState } from './scheduler';
import { runSummary } from './summary';
import { newActiveRun, recordProgress, runOutcome, stallReport, describeExit, type ActiveRun } from './active-run';
import { defaultRunName } from './run-name';
import { isCheckedConfig, preflight, type CheckedConfig } from './preflight';
import { adoptCheckpointsOnDisk, checkpointFilesExist, removeAbandonedCheckpointTemps, reviveCheckpoint, usableCheckpoint } from './checkpoint-files';
import { hasLiveWorker, isLiveStatus, LIVE_STATUSES, markInterrupted } from './recovery';
import { reconcileMetrics } from './reconcile-metrics';
import { latestEventId, readControl, requestControl } from './control';
import { EvalJobs, checkEvalTasks, evalJobSpec, evalOptionsForRun, type EvalJobInfo, type EvalOptions, type EvalOwner } from './eval-jobs';

export { defaultRunName } from './run-name';
export type { CheckedConfig } from './preflight';
export type { EvalJobInfo, EvalOptions } from './eval-jobs';

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
  /** Silence allowed before the first step (backend start, CUDA JIT compilation, data set-up). */
  startupStallMs?: number;
  /** A failure this soon after start counts as fast; 3 in a row pause the queue. */
  fastFailureMs?: number;
  /** Grace periods of a cancel: the worker's own stop, then SIGTERM, then SIGKILL. */
  cancelGraceMs?: number;
  /**
   * A run still silent this long after it was marked stalled is stopped: SIGTERM, then SIGKILL after
   * cancelGraceMs, and it fails with the reason. Default 10 minutes.
   */
  stallKillMs?: number;
  /** How often queued runs, stalls, requests from other processes and orphaned runs are checked. */
  tickMs?: number;
  /** How long a run of another process may show no live worker before it counts as interrupted. */
  orphanGraceMs?: number;
  /** Start queued runs automatically (the CLI starts its own run explicitly). */
  autoStart?: boolean;
  origin?: 'app' | 'cli';
  /** Extra worker environment (tests). */
  workerEnv?: Record<string, string>;
}

export interface CreateRunInput {
  /**
   * A config that went through `validate` (the CLI and the API check it first, to show the warnings
   * and the command), or a config object / `clipwb train` arguments, which go through it here.
   */
  config: CheckedConfig | Record<string, unknown> | string[];
  name?: string;
  tags?: string[];
  notes?: string;
}

/** What a stop request did: done here, asked of the process that supervises the run, or nothing to do. */
export type StopOutcome = 'stopping' | 'requested' | 'cancelled' | 'nothing';

const RESUMABLE_STATUSES: readonly RunStatus[] = ['paused', 'failed', 'interrupted', 'cancelled', 'stalled'];

export class RunService extends EventEmitter<{ event: [ApiEvent] }> {
  private readonly active = new Map<string, ActiveRun>();
  private readonly evals: EvalJobs;
  private fastFailures = 0;
  private queuePaused = false;
  private closing = false;
  private closed = false;
  private closePromise: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly waiters = new Map<string, ((run: Run) => void)[]>();
  /** Runs of other processes with no live worker: since when (they get a grace period). */
  private readonly orphanSince = new Map<string, number>();
  /** The evaluation batches asked for so far, run one after the other (evaluateRun). */
  private evalBatches: Promise<unknown> = Promise.resolve();
  readonly store: Store;

  constructor(private readonly o: RunServiceOptions) {
    super();
    this.store = o.store;
    this.evals = new EvalJobs({
      cudaCacheDir: dataLayout(o.dataDir).cudaCache,
      workerEnv: o.workerEnv,
      devicesFor: (requested) => this.evalDevices(requested),
      record: (owner, msg) => this.guard(owner.runId, () => this.recordEvaluation(owner.runId, msg, owner.checkpointId)),
      log: (runId, level, message) => this.addEvent(runId, level, 'eval', message),
      notify: (level, title, body, runId) => this.notify(level, title, body, runId),
      emit: (event) => this.emit('event', event),
      canStart: () => !this.closing,
      closed: () => this.closed,
    });
    this.recoverOnStart();
    this.timer = setInterval(() => this.tick(), o.tickMs ?? 2000);
    this.timer.unref();
  }

  // ---------------------------------------------------------------- runs

  /**
   * The run pre-flight (preflight.ts): parses and checks a config as createRun stores it (paths made
   * absolute), with everything that can be known before a run exists: files, names, sizes, devices.
   */
  validate(config: Record<string, unknown> | string[]): CheckedConfig {
    return preflight(config, {
      dataDir: this.o.dataDir,
      deviceProblem: (c) => {
        // Only devices named explicitly: which GPUs are free is the queue's business, not an error.
        if (c.devices.length === 0) return null;
        const d = decide({ nproc: c.nproc, devices: c.devices }, { ...this.schedulerState(), allocated: new Set(), cpuRuns: 0 });
        return d.kind === 'error' ? d.reason : null;
      },
    });
  }

  createRun(input: CreateRunInput): Run {
    this.assertOpen();
    const validated = isCheckedConfig(input.config) ? input.config : this.validate(input.config);
    if (validated.config.resume) {
      throw new ConfigError('resume', 'continues an existing run and cannot create a new one', 'Resume the run instead (clipwb runs resume RUN_ID, or Resume in the app); to start from its weights use --init-checkpoint');
    }
    const config = validated.config;
    const name = input.name ?? config.name ?? defaultRunName(config);
    const run = this.store.runs.create({ name, config: { ...config } as unknown as JsonObject, status: 'queued', tags: input.tags ?? [], notes: input.notes ?? '', origin: this.o.origin ?? 'app' });
    const outDir = config.logs ? path.join(config.logs, run.id) : dataLayout(this.o.dataDir).runDir(run.id);
    const updated = this.store.runs.update(run.id, { outDir });
    for (const w of validated.warnings) this.addEvent(run.id, 'warn', 'config', w);
    this.emitRun(updated.id);
    if (this.o.autoStart ?? true) setImmediate(() => this.tick());
    return updated;
  }

  /** Starts a queued run now if its devices are free; returns why not otherwise. */
  startRun(runId: string): { started: boolean; reason: string | null } {
    this.assertOpen();
    const run = this.store.runs.require(runId);
    if (run.status !== 'queued') return { started: false, reason: `run is ${run.status}, not queued` };
    return this.tryStart(run);
  }

  /**
   * Cancels a run: a queued or paused one at once; a running one gracefully (the worker stops after its
   * step), then SIGTERM, then SIGKILL if it does not stop. A run another process supervises is asked
   * through the store.
   */
  cancel(runId: string): StopOutcome {
    const a = this.active.get(runId);
    if (a) {
      if (a.stopMode === 'cancel') return 'stopping';
      a.stopMode = 'cancel';
      a.group.send({ type: 'stop', mode: 'cancel' });
      this.addEvent(runId, 'info', 'cancel', 'cancelling: the worker stops after its current step');
      const grace = this.o.cancelGraceMs ?? 10_000;
      a.killTimers.push(
        setTimeout(() => { if (a.group.alive) { this.addEvent(runId, 'warn', 'cancel', `the worker did not stop within ${grace / 1000} s; sending SIGTERM`); a.group.kill('SIGTERM'); } }, grace),
        setTimeout(() => a.group.kill('SIGKILL'), grace * 1.5),
      );
      return 'stopping';
    }
    const run = this.store.runs.require(runId);
    if (isLiveStatus(run.status)) {
      if (hasLiveWorker(run)) {
        requestControl(this.store, runId, 'cancel');
        return 'requested';
      }
      // Nobody runs it any more; recovery would call it interrupted, the user wants it cancelled.
      return this.setStatusIf(runId, [run.status], 'cancelled') ? 'cancelled' : 'nothing';
    }
    if (run.status === 'queued' || run.status === 'paused' || run.status === 'interrupted') {
      return this.setStatusIf(runId, [run.status], 'cancelled') ? 'cancelled' : 'nothing';
    }
    return 'nothing';
  }

  /** Pause = write a checkpoint after the current step, then stop; resume continues from it. */
  pause(runId: string): StopOutcome {
    const a = this.active.get(runId);
    if (a) {
      if (a.stopMode === 'cancel') throw new WorkbenchError(`run ${runId} is being cancelled; it cannot pause`, { kind: 'conflict' });
      if (a.stopMode === 'pause') return 'stopping';
      a.stopMode = 'pause';
      a.group.send({ type: 'stop', mode: 'pause' });
      this.addEvent(runId, 'info', 'pause', 'pausing: a checkpoint is written after the current step');
      return 'stopping';
    }
    const run = this.store.runs.require(runId);
    if (isLiveStatus(run.status) && hasLiveWorker(run)) {
      requestControl(this.store, runId, 'pause');
      return 'requested';
    }
    throw new WorkbenchError(`run ${runId} is ${run.status}; only a running run can pause`, { kind: 'conflict' });
  }

  checkpointNow(runId: string): StopOutcome {
    const a = this.active.get(runId);
    if (a) {
      a.group.send({ type: 'checkpoint-now' });
      return 'stopping';
    }
    const run = this.store.runs.require(runId);
    if (isLiveStatus(run.status) && hasLiveWorker(run)) {
      requestControl(this.store, runId, 'checkpoint');
      return 'requested';
    }
    throw new WorkbenchError(`run ${runId} is ${run.status}; only a running run can write a checkpoint now`, { kind: 'conflict' });
  }

  /**
   * Queues a paused, failed, stalled, cancelled or interrupted run again. It continues from its newest
   * checkpoint whose files are still on disk; metric points past that checkpoint's step are superseded
   * (no zig-zag curves). Without a usable checkpoint it starts again from step 0, and says so.
   */
  resume(runId: string, o: { checkpoint?: string } = {}): Run {
    this.assertOpen();
    const run = this.store.runs.require(runId);
    if (this.active.has(runId)) throw new WorkbenchError(`run ${runId} is still running`, { kind: 'conflict' });
    if (isLiveStatus(run.status) && hasLiveWorker(run)) {
      throw new WorkbenchError(`run ${runId} is ${run.status} in another workbench process (worker pids ${run.pids.join(', ')}); pause or cancel it first`, { kind: 'conflict' });
    }
    if (run.status === 'queued') return run;
    if (!RESUMABLE_STATUSES.includes(run.status) && !isLiveStatus(run.status)) {
      throw new WorkbenchError(`run ${runId} is ${run.status}; only paused, failed, stalled, cancelled or interrupted runs resume`, { kind: 'conflict' });
    }
    adoptCheckpointsOnDisk(this.store, run);
    const recorded = this.store.checkpoints.listForRun(runId).length;
    const ckpt = o.checkpoint !== undefined ? this.namedCheckpoint(run, o.checkpoint) : usableCheckpoint(this.store, runId);
    if (ckpt) {
      supersedeMetricsAfter(this.store, runId, ckpt.step);
      this.addEvent(runId, 'info', 'resume', `resuming from ${ckpt.path} (step ${ckpt.step})`);
    } else {
      supersedeMetricsAfter(this.store, runId, 0);
      this.addEvent(runId, 'warn', 'resume', recorded > 0
        ? `the ${recorded} checkpoint(s) of this run are no longer on disk (was ${run.outDir ?? 'its folder'} deleted or moved?); starting again from step 0`
        : 'this run has no checkpoint; starting again from step 0');
    }
    this.store.runs.update(runId, { error: null, pids: [], resumeFrom: o.checkpoint !== undefined ? ckpt!.path : null });
    this.setStatus(runId, 'queued');
    if (this.o.autoStart ?? true) setImmediate(() => this.tick());
    return this.store.runs.require(runId);
  }

  /**
   * The checkpoint a resume names (its sidecar or weights path). It must be one of this run's and whole
   * on disk: a damaged one is refused, never silently swapped for another.
   */
  private namedCheckpoint(run: Run, file: string): Checkpoint {
    const abs = path.resolve(file);
    const c = this.store.checkpoints.getByPath(abs) ?? this.store.checkpoints.getByPath(abs.replace(/(\.state)?\.safetensors$/, '.json'));
    if (!c || c.runId !== run.id) {
      throw new ConfigError('resume', `${file} is not a checkpoint of run ${run.id}`, `clipwb runs show ${run.id} lists its checkpoints; to start a new run from these weights use --init-checkpoint`);
    }
    if (!checkpointFilesExist(c.path)) {
      throw new ConfigError('resume', `checkpoint ${c.path} (step ${c.step}) is incomplete or damaged: a file is missing or its size differs from what the sidecar records`,
        `resume from another checkpoint of this run (clipwb runs show ${run.id}), or without a path to continue from the newest complete one`);
    }
    return c;
  }

  resumeQueue(): void {
    this.queuePaused = false;
    this.fastFailures = 0;
    this.notify('info', 'Queue resumed', 'Queued runs start again as devices free up.');
    this.tick();
  }

  get isQueuePaused(): boolean { return this.queuePaused; }

  /**
   * Removes a run that this process is not running from the store, and with `deleteFiles` its folder
   * when that lies in the data folder's runs/ (a run logged elsewhere keeps its files).
   */
  deleteRun(runId: string, o: { deleteFiles?: boolean } = {}): void {
    const run = this.store.runs.require(runId);
    if (this.active.has(run.id)) throw new WorkbenchError(`run ${run.id} is still running; cancel it first`, { kind: 'conflict', field: 'id' });
    this.store.runs.delete(run.id);
    const runsDir = dataLayout(this.o.dataDir).runs;
    if (o.deleteFiles && run.outDir && run.outDir.startsWith(runsDir + path.sep)) fs.rmSync(run.outDir, { recursive: true, force: true });
  }

  summary(runId: string): RunSummary {
    return runSummary(this.store, this.store.runs.require(runId), this.active.get(runId)?.progress ?? null);
  }

  /**
   * Resolves when the run reaches a status in which this process holds no worker of it (a queued run:
   * once it has run).
   */
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

  /** Worker PIDs of this process's runs and evaluations, with the run they belong to ('evaluation' for a file outside the store). */
  workerPids(): Map<number, string> {
    const out = new Map<number, string>();
    for (const a of this.active.values()) for (const pid of a.group.pids) out.set(pid, a.runId);
    for (const [pid, runId] of this.evals.pids()) out.set(pid, runId ?? 'evaluation');
    return out;
  }

  // ---------------------------------------------------------------- evaluation

  /** Evaluates a checkpoint of a run in a worker process; results go to the store as they arrive. */
  evaluate(checkpointId: number, tasks: string[], options: EvalOptions = {}): { job: EvalJobInfo; done: Promise<EvalJobInfo> } {
    const ckpt = this.requireCheckpointOnDisk(checkpointId);
    const run = this.store.runs.require(ckpt.runId);
    return this.evaluatePath(ckpt.path, tasks, evalOptionsForRun(run, ckpt, options), { checkpointId, runId: run.id, runName: run.name });
  }

  /**
   * Evaluates one checkpoint of a run (`checkpointId`) or every checkpoint of it still on disk. A batch
   * runs one checkpoint after the other, and after any batch asked for earlier: each worker would
   * compete for the same cores.
   */
  evaluateRun(runId: string, tasks: string[], options: EvalOptions = {}, checkpointId?: number): { jobs: EvalJobInfo[]; done: Promise<EvalJobInfo[]> } {
    this.assertOpen();
    const run = this.store.runs.require(runId);
    if (checkpointId !== undefined) {
      const c = this.store.checkpoints.require(checkpointId);
      if (c.runId !== run.id) throw new ConfigError('checkpointId', `checkpoint ${c.id} belongs to run ${c.runId}, not ${run.id}`);
      const { job, done } = this.evaluate(c.id, tasks, options);
      return { jobs: [job], done: done.then((j) => [j]) };
    }
    checkEvalTasks(tasks);
    const ckpts = this.store.checkpoints.listForRun(runId).filter((c) => {
      if (c.fileDeletedAt !== null) return false;
      if (checkpointFilesExist(c.path)) return true;
      this.store.checkpoints.markFileDeleted(c.id);
      return false;
    });
    if (ckpts.length === 0) throw new WorkbenchError(`run ${run.name} (${runId}) has no checkpoint on disk to evaluate`, { kind: 'conflict', field: 'runId' });
    if (ckpts.length === 1) {
      const { job, done } = this.evaluate(ckpts[0]!.id, tasks, options);
      return { jobs: [job], done: done.then((j) => [j]) };
    }
    const created = ckpts.map((c) => this.evals.create(evalJobSpec(this.o.dataDir, c.path, tasks, evalOptionsForRun(run, c, options)), options.devices ?? [], { checkpointId: c.id, runId, runName: run.name }));
    const done = this.evalBatches.then(async () => {
      const results: EvalJobInfo[] = [];
      for (const c of created) results.push(await c.start());
      return results;
    });
    this.evalBatches = done.catch(() => undefined);
    return { jobs: created.map((c) => ({ ...c.info })), done };
  }

  /**
   * Evaluates any checkpoint file (also one the store does not know, e.g. an open_clip export; then the
   * results go to the results file only).
   */
  evaluatePath(checkpointPath: string, tasks: string[], options: EvalOptions = {}, owner?: EvalOwner): { job: EvalJobInfo; done: Promise<EvalJobInfo> } {
    this.assertOpen();
    checkEvalTasks(tasks);
    if (!fs.existsSync(checkpointPath)) throw new ConfigError('checkpoint', `${checkpointPath} does not exist`, 'Give a checkpoint .json sidecar, a .safetensors file or a run folder');
    if (options.devices && options.devices.length > 0) {
      const d = decide({ nproc: 1, devices: options.devices }, this.schedulerState());
      if (d.kind === 'error') throw new ConfigError('devices', d.reason);
    }
    const { info, start } = this.evals.create(evalJobSpec(this.o.dataDir, checkpointPath, tasks, options), options.devices ?? [], owner ?? null);
    const done = start();
    return { job: { ...info }, done };
  }

  private requireCheckpointOnDisk(checkpointId: number): Checkpoint {
    const ckpt = this.store.checkpoints.require(checkpointId);
    if (!checkpointFilesExist(ckpt.path)) {
      if (ckpt.fileDeletedAt === null) this.store.checkpoints.markFileDeleted(ckpt.id);
      throw new WorkbenchError(`checkpoint #${checkpointId} (${ckpt.path}) is no longer on disk, or is incomplete; its recorded evaluations stay`, { kind: 'not-found', field: 'checkpointId' });
    }
    return ckpt;
  }

  private evalDevices(requested: string[]) {
    const d = decide({ nproc: 1, devices: requested }, { ...this.schedulerState(), cpuRuns: 0 });
    return d.kind === 'start' ? { devices: d.devices, labels: d.labels } : { devices: [{ kind: 'cpu' as const }], labels: ['cpu'] };
  }

  // ---------------------------------------------------------------- scheduling

  private tick(): void {
    if (this.closing) return;
    try {
      for (const a of [...this.active.values()]) {
        this.applyControlRequests(a);
        this.checkStall(a);
      }
      this.watchOrphans();
      if (this.queuePaused || !(this.o.autoStart ?? true)) return;
      const queued = this.store.runs.list({ statuses: ['queued'] }).sort((x, y) => x.createdAt - y.createdAt);
      for (const run of queued) {
        // A run queued by the other front end is started by it (or by the user, with startRun).
        if (this.o.origin && run.origin !== this.o.origin) continue;
        this.tryStart(run);
      }
    } catch (err) {
      this.internalError(null, err);
    }
  }

  private schedulerState(): SchedulerState {
    let cpuRuns = 0;
    const allocated = new Set<number>();
    // Evaluations hold their GPU, but not a CPU slot: they are short and the user asked for them.
    for (const d of [...this.active.values()].flatMap((a) => a.devices)) if (d === 'cpu') cpuRuns++;
    for (const d of [...[...this.active.values()].flatMap((a) => a.devices), ...this.evals.deviceLabels()]) {
      if (d.startsWith('gpu:')) allocated.add(Number(d.slice(4)));
    }
    return { gpus: this.o.gpus?.() ?? [], allocated, ourPids: new Set(this.workerPids().keys()), cpuRuns, cpuSlots: this.o.cpuSlots ?? 1 };
  }

  private tryStart(run: Run): { started: boolean; reason: string | null } {
    if (this.closing) return { started: false, reason: 'the workbench is closing' };
    let config: TrainConfig;
    try {
      config = storedConfig(run);
    } catch (err) {
      const reason = (err as Error).message;
      if (this.setStatusIf(run.id, ['queued'], 'failed', reason)) this.notify('error', 'Run failed', `${run.name}: ${reason}`, run.id);
      return { started: false, reason };
    }
    const decision = decide({ nproc: config.nproc, devices: config.devices }, this.schedulerState());
    if (decision.kind === 'wait') return { started: false, reason: decision.reason };
    if (decision.kind === 'error') {
      if (this.setStatusIf(run.id, ['queued'], 'failed', decision.reason)) this.notify('error', 'Run failed', `${run.name}: ${decision.reason}`, run.id);
      return { started: false, reason: decision.reason };
    }
    // Claim the run in one transaction: the app and a CLI on the same store never both start it.
    let resumeFrom: string | null = null;
    const claimed = this.store.transaction(() => {
      const cur = this.store.runs.get(run.id);
      if (cur?.status !== 'queued') return cur?.status ?? 'deleted';
      resumeFrom = cur.resumeFrom;
      this.store.runs.update(run.id, { devices: decision.labels, pids: [], error: null, resumeFrom: null });
      this.store.runs.setStatus(run.id, 'starting');
      return null;
    });
    if (claimed !== null) return { started: false, reason: `run is ${claimed}, not queued (another workbench process may have started it)` };
    // A resume that named its checkpoint continues from exactly that one; it was checked then, and is
    // checked again now (files can change while a run waits in the queue). Otherwise the newest whole one.
    let latest: Checkpoint | null;
    if (resumeFrom !== null) {
      latest = this.store.checkpoints.getByPath(resumeFrom) ?? null;
      if (!latest || !checkpointFilesExist(resumeFrom)) {
        const reason = `the checkpoint this resume named, ${resumeFrom}, is no longer whole on disk; resume again from another checkpoint of the run`;
        this.store.runs.update(run.id, { error: reason });
        this.setStatus(run.id, 'failed');
        this.notify('error', 'Run failed', `${run.name}: ${reason}`, run.id);
        return { started: false, reason };
      }
    } else {
      latest = usableCheckpoint(this.store, run.id);
    }
    const outDir = run.outDir ?? dataLayout(this.o.dataDir).runDir(run.id);
    const job: Job = { kind: 'train', runId: run.id, outDir, dataDir: this.o.dataDir, config, resumeFrom: latest?.path ?? null };
    const a = newActiveRun(run.id, decision.labels, latestEventId(this.store));
    try {
      fs.mkdirSync(outDir, { recursive: true });
      a.group = new WorkerGroup({ job, devices: decision.devices, cudaCacheDir: dataLayout(this.o.dataDir).cudaCache, env: this.o.workerEnv }, {
        onMessage: (rank, msg) => this.guard(a.runId, () => this.onMessage(a, rank, msg)),
        onProtocolError: (rank, err) => {
          a.error ??= { rank, message: err.message };
          a.group.kill('SIGKILL');
        },
        onExit: (exit) => {
          this.guard(a.runId, () => this.onExit(a, exit));
          if (!a.group.alive) this.resolveWaiters(a.runId);
        },
      });
    } catch (err) {
      const reason = `could not start the worker process in ${outDir}: ${(err as Error).message}`;
      this.store.runs.update(run.id, { error: reason });
      this.setStatus(run.id, 'failed');
      this.notify('error', 'Run failed', `${run.name}: ${reason}`, run.id);
      return { started: false, reason };
    }
    this.active.set(run.id, a);
    this.store.runs.update(run.id, { pids: a.group.pids });
    this.emitRun(run.id);
    this.addEvent(run.id, 'info', 'start', `started on ${decision.labels.join(', ')}${latest ? `, resuming from ${latest.path}` : ''} (pids ${a.group.pids.join(', ')})`);
    return { started: true, reason: null };
  }

  // ---------------------------------------------------------------- supervision

  private onMessage(a: ActiveRun, rank: number, msg: WorkerToMain): void {
    if (this.closed) return;
    a.lastMessageAt = Date.now();
    if (a.stalled) {
      a.stalled = false;
      this.store.runs.update(a.runId, { error: null });
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
      case 'progress':
        this.onProgress(a, msg);
        break;
      case 'checkpoint':
        this.onCheckpoint(a, msg);
        break;
      case 'eval':
        this.recordEvaluation(a.runId, msg, null);
        break;
      case 'done':
        a.done = msg.summary;
        break;
      case 'error':
        a.error ??= { rank: msg.rank, message: msg.message, name: msg.name, field: msg.field };
        this.addEvent(a.runId, 'error', 'error', `rank ${msg.rank}: ${msg.name}: ${msg.message}`);
        break;
    }
  }

  private onProgress(a: ActiveRun, msg: Extract<WorkerToMain, { type: 'progress' }>): void {
    recordProgress(a, msg);
    if (Date.now() - a.lastProgressEmit > 250) {
      a.lastProgressEmit = Date.now();
      this.emitRun(a.runId);
    }
  }

  private onCheckpoint(a: ActiveRun, msg: Extract<WorkerToMain, { type: 'checkpoint' }>): void {
    const existing = this.store.checkpoints.getByPath(msg.path);
    if (existing && existing.runId !== a.runId) {
      this.addEvent(a.runId, 'error', 'checkpoint', `${msg.path} is recorded as a checkpoint of run ${existing.runId}; not recording it for this run`);
      return;
    }
    const c = existing
      ? reviveCheckpoint(this.store, existing.id, msg)
      : this.store.checkpoints.add({ runId: a.runId, path: msg.path, epoch: msg.epoch, step: msg.step, sizeBytes: msg.sizeBytes });
    this.store.runs.update(a.runId, { resumable: true });
    this.emit('event', { type: 'checkpoint', checkpoint: { id: c.id, runId: a.runId, path: c.path, epoch: c.epoch, step: c.step, sizeBytes: c.sizeBytes, createdAt: c.createdAt } });
  }

  private recordEvaluation(runId: string, msg: Extract<WorkerToMain, { type: 'eval' }>, checkpointId: number | null): void {
    if (this.closed) return;
    const ckptId = checkpointId ?? (msg.checkpointPath ? this.store.checkpoints.getByPath(msg.checkpointPath)?.id ?? null : null);
    for (const r of msg.results) {
      const metrics: Record<string, number | null> = {};
      for (const [k, v] of Object.entries(r.metrics)) if (k !== 'main_metric') metrics[k] = v;
      this.store.evaluations.recordTask({
        target: ckptId !== null ? { checkpointId: ckptId } : { runId, epoch: msg.epoch },
        task: r.key, metrics, mainMetric: r.mainMetric && r.mainMetric in metrics ? r.mainMetric : null,
      });
    }
    const runName = this.store.runs.get(runId)?.name ?? runId;
    const rows = this.store.evaluations.list({ runIds: [runId] }).map((e) => ({
      runId, runName, checkpointId: e.checkpointId, epoch: e.epoch, step: e.step,
      task: e.task, metric: e.metric, value: e.value, isMain: e.isMain,
    }));
    this.emit('event', { type: 'evaluation', runId, rows });
    const main = msg.results.map((r) => `${r.key}: ${r.mainMetric ? (r.metrics[r.mainMetric] ?? NaN).toFixed(4) : '-'}`).join(', ');
    this.addEvent(runId, 'info', 'eval', `evaluation at epoch ${msg.epoch}: ${main}`);
  }

  private onExit(a: ActiveRun, exit: WorkerExit): void {
    a.exits.push(exit);
    if (exit.code !== 0 && a.group.alive && !this.closed) {
      // One rank died: the others would wait on it at the next collective; stop them now.
      this.addEvent(a.runId, 'error', 'worker', `rank ${exit.rank} exited with ${describeExit(exit)}; stopping the other ranks`);
      a.error ??= { rank: exit.rank, message: `exited with ${describeExit(exit)}`, fromExit: exit };
      a.killTimers.push(setTimeout(() => a.group.kill('SIGTERM'), 3000), setTimeout(() => a.group.kill('SIGKILL'), 8000));
    }
    if (a.group.alive) return;
    for (const t of a.killTimers) clearTimeout(t);
    this.active.delete(a.runId);
    if (this.closed) return;
    // A cancel asked from another process just before it killed the workers (clipwb runs cancel --force).
    if (a.stopMode !== 'cancel' && readControl(this.store, a.runId, a.controlAfterId).some((r) => r.action === 'cancel')) a.stopMode = 'cancel';
    const { status, error } = runOutcome(a, exit, this.closing);
    // Steps the worker logged whose IPC messages never arrived (it died mid-send) are still in metrics.jsonl.
    const outDir = this.store.runs.get(a.runId)?.outDir ?? null;
    reconcileMetrics(this.store, a.runId, outDir);
    removeAbandonedCheckpointTemps(outDir);
    const hasCheckpoint = usableCheckpoint(this.store, a.runId) !== null;
    this.store.runs.update(a.runId, { error, pids: [], resumable: status !== 'finished' && hasCheckpoint });
    this.setStatus(a.runId, status);
    const run = this.store.runs.require(a.runId);
    if (status === 'failed') {
      const fast = Date.now() - a.startedAt < this.fastFailureMs;
      this.fastFailures = fast ? this.fastFailures + 1 : 0;
      this.notify('error', 'Run failed', `${run.name}: ${(error ?? '').split('\n')[0]}`, a.runId);
      if (this.fastFailures >= 3 && !this.queuePaused) {
        this.queuePaused = true;
        this.notify('warn', 'Queue paused', `${this.fastFailures} runs in a row failed within ${Math.round(this.fastFailureMs / 1000)} s of starting; fix the cause, then resume the queue.`);
      }
    } else if (status === 'finished') {
      this.fastFailures = 0;
      this.notify('info', 'Run finished', run.name, a.runId);
    } else if (status === 'interrupted') {
      this.addEvent(a.runId, 'warn', 'recover', error ?? 'interrupted');
    }
    setImmediate(() => this.tick());
  }

  private resolveWaiters(runId: string): void {
    const list = this.waiters.get(runId);
    if (!list) return;
    this.waiters.delete(runId);
    let run: Run | undefined;
    try { run = this.store.runs.get(runId); } catch { /* the store is closed */ }
    if (run) for (const resolve of list) resolve(run);
  }

  private checkStall(a: ActiveRun): void {
    if (a.stalled) {
      this.stopIfStillStalled(a);
      return;
    }
    const report = stallReport(a, { factor: this.o.stallFactor ?? 20, minMs: this.o.minStallMs ?? 300_000, startupMs: this.o.startupStallMs ?? 600_000 });
    if (!report) return;
    a.stalled = true;
    a.stalledAt = Date.now();
    this.store.runs.update(a.runId, { error: report.error });
    this.setStatus(a.runId, 'stalled');
    const name = this.store.runs.get(a.runId)?.name ?? a.runId;
    this.notify('warn', 'Run stalled', `${name}: ${report.reason}`, a.runId);
  }

  /**
   * A worker that stays silent past the stall limit plus stallKillMs is stopped: a worker stuck inside
   * a long computation handles SIGTERM only after it (its handler just asks for a stop at the next step),
   * so SIGKILL follows after the cancel grace period. Whatever was recorded (metrics, checkpoints) stays.
   */
  private stopIfStillStalled(a: ActiveRun): void {
    if (a.stallStop !== null || a.stopMode === 'cancel') return;
    const killAfter = this.o.stallKillMs ?? 600_000;
    const now = Date.now();
    if (now - a.stalledAt < killAfter) return;
    const silent = Math.round((now - a.lastMessageAt) / 1000);
    const grace = this.o.cancelGraceMs ?? 10_000;
    a.stallStop = `stopped: the run stalled (no report for ${silent} s) and did not recover within ${Math.round(killAfter / 1000)} s; ` +
      `the workers were sent SIGTERM, then SIGKILL after ${grace / 1000} s`;
    this.addEvent(a.runId, 'error', 'stall', `no report for ${silent} s: stopping the stalled workers (SIGTERM, then SIGKILL after ${grace / 1000} s)`);
    a.group.kill('SIGTERM');
    a.killTimers.push(setTimeout(() => {
      if (!a.group.alive) return;
      this.addEvent(a.runId, 'error', 'stall', `the stalled workers did not exit on SIGTERM within ${grace / 1000} s; sending SIGKILL`);
      a.group.kill('SIGKILL');
    }, grace));
  }

  private applyControlRequests(a: ActiveRun): void {
    for (const req of readControl(this.store, a.runId, a.controlAfterId)) {
      a.controlAfterId = req.id;
      if (!this.active.has(a.runId)) return;
      if (req.action === 'cancel') this.cancel(a.runId);
      else if (req.action === 'pause' && a.stopMode === null) this.pause(a.runId);
      else if (req.action === 'checkpoint') this.checkpointNow(a.runId);
    }
  }

  // ---------------------------------------------------------------- recovery

  /** On start: runs left live by a process that is gone, with no live worker, become interrupted. */
  private recoverOnStart(): void {
    for (const run of this.store.runs.list({ statuses: [...LIVE_STATUSES] })) {
      if (hasLiveWorker(run)) continue;
      // A run being started this very moment by another process has no PIDs yet: give it the grace period.
      if (run.status === 'starting' && run.pids.length === 0) continue;
      this.interrupt(run);
    }
  }

  /** Runs other processes supervised: interrupted once their workers are gone and nobody recorded an outcome. */
  private watchOrphans(): void {
    const now = Date.now();
    const live = this.store.runs.list({ statuses: [...LIVE_STATUSES] }).filter((r) => !this.active.has(r.id));
    const ids = new Set(live.map((r) => r.id));
    for (const id of this.orphanSince.keys()) if (!ids.has(id)) this.orphanSince.delete(id);
    for (const run of live) {
      if (hasLiveWorker(run)) { this.orphanSince.delete(run.id); continue; }
      const since = this.orphanSince.get(run.id) ?? now;
      this.orphanSince.set(run.id, since);
      if (now - since >= (this.o.orphanGraceMs ?? 10_000)) {
        this.orphanSince.delete(run.id);
        this.interrupt(run);
      }
    }
  }

  private interrupt(run: Run): void {
    const r = markInterrupted(this.store, run);
    if (!r) return;
    this.addEvent(run.id, 'warn', 'recover', `marked interrupted${r.adopted > 0 ? `; recorded ${r.adopted} checkpoint(s) found on disk` : ''}${r.recoveredPoints > 0 ? `; recovered ${r.recoveredPoints} metric point(s) from metrics.jsonl` : ''}${r.resumable ? '; resume continues from the last checkpoint' : ' (no checkpoint: resume starts again from step 0)'}`);
    this.emitRun(run.id);
  }

  // ---------------------------------------------------------------- helpers

  private get fastFailureMs(): number { return this.o.fastFailureMs ?? 120_000; }

  /** Sets the status only if the run is still in one of `from` (another process may have moved it). */
  private setStatusIf(runId: string, from: RunStatus[], to: RunStatus, error?: string): boolean {
    const changed = this.store.transaction(() => {
      const cur = this.store.runs.get(runId);
      if (!cur || !from.includes(cur.status)) return false;
      if (error !== undefined) this.store.runs.update(runId, { error });
      this.store.runs.setStatus(runId, to);
      return true;
    });
    if (changed) this.emitRun(runId);
    return changed;
  }

  private setStatus(runId: string, status: RunStatus): void {
    this.store.runs.setStatus(runId, status);
    this.emitRun(runId);
  }

  private emitRun(runId: string): void {
    if (this.closed) return;
    this.emit('event', { type: 'run', run: this.summary(runId) });
  }

  private addEvent(runId: string | null, level: 'debug' | 'info' | 'warn' | 'error', kind: string, message: string): void {
    if (this.closed) return;
    const id = this.store.events.addOne({ runId, level, kind, message }).id;
    this.emit('event', { type: 'log', line: { id, runId, time: Date.now(), level, kind, message } });
  }

  private notify(level: 'info' | 'warn' | 'error', title: string, body: string, runId?: string): void {
    this.addEvent(runId ?? null, level, 'notification', `${title}: ${body}`);
    if (!this.closed) this.emit('event', { type: 'notification', level, title, body, runId });
  }

  /** Runs a handler of worker output; a bug or a store error there is reported, never thrown into Node's event loop. */
  private guard(runId: string | null, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.internalError(runId, err);
    }
  }

  private internalError(runId: string | null, err: unknown): void {
    const message = `internal error in the run service: ${(err as Error)?.stack ?? String(err)}`;
    console.error(message);
    try { this.addEvent(runId, 'error', 'internal', message); } catch { /* the store itself failed */ }
  }

  private assertOpen(): void {
    if (this.closing) throw new Error('the run service is closed');
  }

  /**
   * Stops supervising: running runs are paused (checkpoint) and the call waits for them, up to a limit;
   * workers still alive then are killed and their runs recorded as interrupted. Nothing is written or
   * emitted after this resolves, so the store can be closed right after.
   */
  close(options: { pauseRunning?: boolean; timeoutMs?: number } = {}): Promise<void> {
    this.closePromise ??= this.doClose(options);
    return this.closePromise;
  }

  private async doClose(options: { pauseRunning?: boolean; timeoutMs?: number }): Promise<void> {
    this.closing = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const running = [...this.active.values()];
    for (const a of running) {
      if ((options.pauseRunning ?? true) && a.stopMode === null) { a.stopMode = 'pause'; a.group.send({ type: 'stop', mode: 'pause' }); } else if (!(options.pauseRunning ?? true)) a.group.kill('SIGTERM');
    }
    this.evals.killAll('SIGTERM');
    const waitAll = async (ms: number) => {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise((r) => { timer = setTimeout(r, ms); });
      await Promise.race([Promise.all([...this.active.keys()].map((id) => this.waitForRun(id))), deadline]);
      clearTimeout(timer);
    };
    if (this.active.size > 0) await waitAll(options.timeoutMs ?? 60_000);
    for (const a of this.active.values()) a.group.kill('SIGKILL');
    this.evals.killAll('SIGKILL');
    if (this.active.size > 0) await waitAll(5000);
    await this.evals.drain(5000);
    for (const a of this.active.values()) for (const t of a.killTimers) clearTimeout(t);
    this.closed = true;
  }
}

/**
 * A run's stored config, read back through the validator that made it: the store is shared with other
 * processes and versions, so its JSON is a boundary like a worker message (no warnings are recorded
 * again; they were recorded when the run was created).
 */
export function storedConfig(run: Run): TrainConfig {
  try {
    return validateTrainConfig(run.config).config;
  } catch (err) {
    throw new ConfigError('config', `the stored config of run ${run.id} no longer validates (${(err as Error).message})`, 'Start a new run with a valid config');
  }
}
