/**
 * Live GPU monitor: ONE long-lived `nvidia-smi --query-gpu=... -lms <interval>` child, restarted with
 * back-off if it dies or stalls, plus a periodic `--query-compute-apps` that attributes memory to our
 * worker PIDs. Nothing here blocks the event loop (systeminformation.graphics() would: it runs
 * nvidia-smi synchronously, and turns an idle 0 % into undefined).
 *
 * PIDs: inside a container with its own PID namespace nvidia-smi reports host PIDs or none at all, so
 * a worker may not be attributed; the worker's CUDA_VISIBLE_DEVICES pin is then the only link.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { findExecutable } from './find-executable';
import { LineSplitter } from './line-splitter';
import type {
  GpuHistoryPoint,
  GpuLiveStatus,
  GpuMonitorEvents,
  GpuMonitorOptions,
  GpuMonitorSnapshot,
  GpuMonitorState,
} from './monitor-types';
import { RingBuffer } from './ring-buffer';
import { parseComputeApps, parseGpuSampleLine } from './smi-parse';
import { appsQueryArgs, liveQueryArgs } from './smi-queries';
import { describeSmiFailure } from './smi-failure';
import type { GpuSample } from './types';

interface TrackedGpu {
  status: GpuLiveStatus;
  history: RingBuffer<GpuHistoryPoint>;
}

export class GpuMonitor extends EventEmitter<GpuMonitorEvents> {
  private readonly env: NodeJS.ProcessEnv;
  private readonly intervalMs: number;
  private readonly appsIntervalMs: number;
  private readonly historyCapacity: number;
  private readonly goneAfterMs: number;
  private readonly stallAfterMs: number;
  private readonly backoff: { initialMs: number; maxMs: number };
  private readonly runForPid: (pid: number) => string | undefined;

  private state: GpuMonitorState = 'stopped';
  private reason: string | null = null;
  private restarts = 0;
  private failuresWithoutSample = 0;
  private smiPath: string | null = null;
  private child: ChildProcess | null = null;
  private childExited: Promise<void> = Promise.resolve();
  private lastOutputAt = 0;
  private readonly gpus = new Map<string, TrackedGpu>();
  private ticker: NodeJS.Timeout | null = null;
  private appsTimer: NodeJS.Timeout | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private appsInFlight = false;

  constructor(private readonly options: GpuMonitorOptions = {}) {
    super();
    this.env = options.env ?? process.env;
    this.intervalMs = options.intervalMs ?? 1000;
    this.appsIntervalMs = options.appsIntervalMs ?? 5000;
    this.historyCapacity = Math.max(1, Math.ceil(((options.historySeconds ?? 600) * 1000) / this.intervalMs));
    this.goneAfterMs = options.goneAfterMs ?? Math.max(3 * this.intervalMs, 3000);
    this.stallAfterMs = options.stallAfterMs ?? Math.max(10 * this.intervalMs, 15_000);
    this.backoff = options.restartBackoff ?? { initialMs: 1000, maxMs: 30_000 };
    this.runForPid = options.runForPid ?? (() => undefined);
  }

  async start(): Promise<void> {
    if (this.state !== 'stopped') return;
    this.setState('starting', null);
    this.smiPath = await findExecutable(this.options.smiPath ?? 'nvidia-smi', this.env);
    if (this.currentState() !== 'starting') return; // stopped while looking
    if (!this.smiPath) {
      this.setState('no-gpu', 'nvidia-smi was not found on PATH: no NVIDIA driver is installed, so training runs on the CPU.');
      return;
    }
    this.ticker = setInterval(() => this.tick(), Math.max(50, Math.floor(this.intervalMs / 2)));
    this.ticker.unref();
    this.appsTimer = setInterval(() => void this.pollApps(), this.appsIntervalMs);
    this.appsTimer.unref();
    this.spawnStream();
  }

  async stop(): Promise<void> {
    this.setState('stopped', null);
    for (const timer of [this.ticker, this.appsTimer]) if (timer) clearInterval(timer);
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.ticker = this.appsTimer = this.restartTimer = null;
    const child = this.child;
    if (child) {
      // Wait for 'close', not just exit: stdout may still hold lines, and they must land before we return.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const killLater = setTimeout(() => child.kill('SIGKILL'), 2000);
      await this.childExited;
      clearTimeout(killLater);
    }
    this.child = null;
  }

  snapshot(): GpuMonitorSnapshot {
    return {
      state: this.state,
      reason: this.reason,
      restarts: this.restarts,
      gpus: [...this.gpus.values()].map((g) => cloneStatus(g.status)).sort((a, b) => a.index - b.index),
    };
  }

  /** Samples of one GPU (by index or UUID), oldest first; empty for an unknown GPU. */
  history(gpu: number | string): GpuHistoryPoint[] {
    const tracked = typeof gpu === 'string' ? this.gpus.get(gpu) : [...this.gpus.values()].find((g) => g.status.index === gpu);
    return tracked ? tracked.history.toArray() : [];
  }

  // Read through a method: TypeScript's narrowing does not know that an await can change the field.
  private currentState(): GpuMonitorState {
    return this.state;
  }

  private setState(state: GpuMonitorState, reason: string | null): void {
    if (this.state === state && this.reason === reason) return;
    this.state = state;
    this.reason = reason;
    this.emit('state', state, reason);
  }

  private spawnStream(): void {
    if (!this.smiPath || this.state === 'stopped') return;
    const child = spawn(this.smiPath, liveQueryArgs(this.intervalMs), {
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.lastOutputAt = Date.now();
    let producedSample = false;
    const unparsed: string[] = [];
    const keepUnparsed = (text: string) => {
      unparsed.push(text);
      if (unparsed.length > 20) unparsed.shift();
    };
    const splitter = new LineSplitter();
    const onLine = (line: string, lineNo: number) => {
      if (line.trim() === '' || this.state === 'stopped') return;
      const parsed = parseGpuSampleLine(line.trim());
      if (typeof parsed === 'string') {
        keepUnparsed(line.trim());
        this.emit('problem', { line: lineNo, text: line, reason: parsed });
        return;
      }
      producedSample = true;
      this.failuresWithoutSample = 0;
      this.acceptSample(parsed);
    };
    let lineNo = 0;
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      this.lastOutputAt = Date.now();
      for (const line of splitter.push(chunk)) onLine(line, ++lineNo);
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      for (const line of chunk.split(/\r?\n/)) if (line.trim() !== '') keepUnparsed(line.trim());
    });
    let spawnError: NodeJS.ErrnoException | null = null;
    child.on('error', (err: NodeJS.ErrnoException) => {
      spawnError = err;
    });
    this.childExited = new Promise((resolve) => {
      child.on('close', (code, signal) => {
        if (this.child === child) this.child = null;
        resolve();
        if (this.state === 'stopped') return;
        for (const line of splitter.flush()) onLine(line, ++lineNo);
        this.onStreamEnded(code, signal, spawnError, unparsed.join('\n'), producedSample);
      });
    });
  }

  private onStreamEnded(
    code: number | null,
    signal: NodeJS.Signals | null,
    spawnError: NodeJS.ErrnoException | null,
    output: string,
    producedSample: boolean,
  ): void {
    if (spawnError?.code === 'ENOENT') {
      this.setState('no-gpu', `nvidia-smi could not be started (${this.smiPath ?? 'nvidia-smi'} is gone).`);
      return;
    }
    const failure = describeSmiFailure(code, signal, output, spawnError);
    if (!producedSample) this.failuresWithoutSample++;
    const delay = failure.noGpu
      ? this.backoff.maxMs
      : Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** Math.max(0, this.failuresWithoutSample - 1));
    this.setState(failure.noGpu ? 'no-gpu' : 'restarting', failure.message);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.state === 'stopped') return;
      this.restarts++;
      this.spawnStream();
    }, delay);
    this.restartTimer.unref();
  }

  private acceptSample(sample: GpuSample): void {
    const now = Date.now();
    let tracked = this.gpus.get(sample.uuid);
    if (!tracked) {
      tracked = {
        status: { index: sample.index, uuid: sample.uuid, name: sample.name, present: true, lastSeenAt: now, sample, processes: [] },
        history: new RingBuffer<GpuHistoryPoint>(this.historyCapacity),
      };
      this.gpus.set(sample.uuid, tracked);
    }
    const wasGone = !tracked.status.present;
    Object.assign(tracked.status, { index: sample.index, name: sample.name, present: true, lastSeenAt: now, sample });
    tracked.history.push({
      t: now,
      utilizationPct: sample.utilizationPct,
      memoryUsedMiB: sample.memoryUsedMiB,
      temperatureC: sample.temperatureC,
      powerDrawW: sample.powerDrawW,
    });
    if (this.state !== 'running') {
      this.setState('running', null);
      void this.pollApps();
    }
    this.emit('sample', sample);
    if (wasGone) this.emit('back', cloneStatus(tracked.status));
  }

  private tick(): void {
    const now = Date.now();
    const child = this.child;
    if (child && now - this.lastOutputAt > this.stallAfterMs) {
      // A hung nvidia-smi (a wedged driver) prints nothing and never exits; the close handler restarts it.
      child.kill('SIGKILL');
      return;
    }
    // Only while the stream is alive: a silent stream says nothing about any single GPU.
    if (!child || now - this.lastOutputAt > this.goneAfterMs) return;
    for (const { status } of this.gpus.values()) {
      if (status.present && now - status.lastSeenAt > this.goneAfterMs) {
        status.present = false;
        status.processes = [];
        this.emit('gone', cloneStatus(status));
      }
    }
  }

  private async pollApps(): Promise<void> {
    if (this.appsInFlight || !this.smiPath || this.state !== 'running') return;
    this.appsInFlight = true;
    try {
      const stdout = await runForOutput(this.smiPath, appsQueryArgs(), this.env, Math.max(5000, this.appsIntervalMs));
      if (stdout === null || this.currentState() === 'stopped') return;
      const { rows, problems } = parseComputeApps(stdout);
      for (const p of problems) this.emit('problem', p);
      for (const { status } of this.gpus.values()) status.processes = [];
      for (const app of rows) {
        const gpu = this.gpus.get(app.gpuUuid);
        if (!gpu) continue;
        gpu.status.processes.push({ pid: app.pid, usedMemoryMiB: app.usedMemoryMiB, runId: this.runForPid(app.pid) ?? null });
      }
      this.emit('processes', this.snapshot().gpus);
    } finally {
      this.appsInFlight = false;
    }
  }
}

function cloneStatus(s: GpuLiveStatus): GpuLiveStatus {
  return { ...s, sample: { ...s.sample }, processes: s.processes.map((p) => ({ ...p })) };
}

/** stdout of a short nvidia-smi query, or null when it failed (the live stream reports failures). */
function runForOutput(file: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }, (err, stdout) => {
      resolve(err ? null : stdout);
    });
  });
}
