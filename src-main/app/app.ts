/**
 * The workbench core as one object: store, run service, GPU monitor, downloads, datasets and the API
 * methods over them. Electron's main process and the web server both host one WorkbenchApp; neither
 * adds behaviour of its own, so what one front end does the other does too.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { openStore, type Store } from '../store';
import { dataLayout, resolveDataDir, type DataLayout } from '../paths';
import { RunService } from '../runs/service';
import { GpuMonitor } from '../gpu/monitor';
import { gpuStates, startMonitorAndWait } from '../core/gpu-state';
import { collectSystemInventory, type SystemInventory } from '../system/inventory';
import { SystemSampler } from '../system/live';
import { DownloadManager } from '../downloads/manager';
import { API, ApiError, parseRequest, type ApiMethod, type ApiOutput, type ApiParsedInput } from '../../src-shared/api/contract';
import type { ApiEvent, GpuSample } from '../../src-shared/api/types';
import { EventBatcher } from './events';
import { createHandlers } from './handlers';
import { DownloadsService } from './downloads-service';
import { toApiError } from './api-error';

/** Also here for the Electron main process, which takes it with WorkbenchApp. */
export { toApiError };

export interface AppOptions {
  /** Data folder (flag); default $CLIPWB_HOME or the OS default. */
  home?: string;
  /** Extra environment for worker processes (tests). */
  workerEnv?: Record<string, string>;
  /** Environment for nvidia-smi (tests put a fake one on PATH). */
  env?: NodeJS.ProcessEnv;
  stallFactor?: number;
  minStallMs?: number;
}

export type Handlers = { [M in ApiMethod]: (input: ApiParsedInput<M>) => Promise<ApiOutput<M>> | ApiOutput<M> };

export class WorkbenchApp {
  readonly events = new EventBatcher(300);
  inventory: SystemInventory | null = null;
  /** CPU per core, memory and disk free, sampled every SYSTEM_SAMPLE_MS (the dashboard's system panel). */
  readonly system: SystemSampler;
  private readonly handlers: Handlers;
  private timers: NodeJS.Timeout[] = [];
  private readonly foreignSeen = new Map<string, number>();

  private constructor(
    readonly dataDir: string,
    readonly layout: DataLayout,
    readonly store: Store,
    readonly service: RunService,
    readonly monitor: GpuMonitor,
    readonly downloads: DownloadsService,
  ) {
    this.system = new SystemSampler(dataDir);
    this.system.sample();
    this.handlers = createHandlers(this);
    service.on('event', (e) => this.events.push(e));
    downloads.on('event', (e) => this.events.push(e));
  }

  static async start(o: AppOptions = {}): Promise<WorkbenchApp> {
    const dataDir = resolveDataDir({ flag: o.home });
    fs.mkdirSync(dataDir, { recursive: true });
    const layout = dataLayout(dataDir);
    const store = openStore({ file: layout.database });
    let service: RunService | null = null;
    const monitor = new GpuMonitor({ env: o.env ?? process.env, runForPid: (pid) => service?.workerPids().get(pid) });
    await startMonitorAndWait(monitor);
    // Without tfjs-node-gpu a run cannot compute on a GPU: schedule on the CPU instead of holding GPUs idle.
    const gpuBackend = gpuBackendInstalled();
    service = new RunService({
      store, dataDir, gpus: () => (gpuBackend ? gpuStates(monitor) : []), origin: 'app', autoStart: true, workerEnv: o.workerEnv,
      stallFactor: o.stallFactor, minStallMs: o.minStallMs,
    });
    const downloads = new DownloadsService(store, dataDir, new DownloadManager({ concurrency: 3 }));
    const app = new WorkbenchApp(dataDir, layout, store, service, monitor, downloads);
    app.startBackground();
    void collectSystemInventory({ timeoutMs: 10_000, env: o.env }).then((inv) => { app.inventory = inv; }, () => undefined);
    return app;
  }

  /** Validates and runs one API call. Errors are ApiErrors with a status, a message and the field. */
  async call(method: string, body: unknown): Promise<unknown> {
    if (!Object.prototype.hasOwnProperty.call(API, method)) throw new ApiError(404, `unknown API method "${method}"`, undefined, 'NotFound');
    const m = method as ApiMethod;
    const input = parseRequest(m, body);
    try {
      return await (this.handlers[m] as (i: unknown) => unknown)(input);
    } catch (err) {
      throw toApiError(err);
    }
  }

  subscribe(listener: (events: ApiEvent[]) => void): () => void {
    return this.events.subscribe(listener);
  }

  gpuSamples(): GpuSample[] {
    const snap = this.monitor.snapshot();
    const pids = this.service.workerPids();
    return snap.gpus.map((g) => ({
      index: g.index, uuid: g.uuid, name: g.name,
      utilization: g.sample.utilizationPct, memoryUsedMiB: g.sample.memoryUsedMiB, memoryTotalMiB: g.sample.memoryTotalMiB,
      temperatureC: g.sample.temperatureC, powerW: g.sample.powerDrawW, powerLimitW: g.sample.powerLimitW, gone: !g.present,
      processes: g.processes.map((p) => ({ pid: p.pid, usedMemoryMiB: p.usedMemoryMiB, runId: p.runId ?? pids.get(p.pid) ?? null })),
      history: this.monitor.history(g.index).map((h) => ({ t: h.t, utilization: h.utilizationPct, memoryUsedMiB: h.memoryUsedMiB })),
    }));
  }

  private startBackground(): void {
    // GPU cards refresh once a second (nvidia-smi samples at 1 Hz anyway).
    this.timers.push(setInterval(() => {
      const snap = this.monitor.snapshot();
      if (snap.state === 'running' || snap.state === 'restarting') this.events.push({ type: 'gpu', gpus: this.gpuSamples() });
    }, 1000));
    // CPU per core, memory and disk free: one cheap synchronous read every 2 s, pushed to open pages.
    this.timers.push(setInterval(() => this.events.push({ type: 'system', stats: this.system.sample() }), 2000));
    // Runs another process supervises (the CLI): their rows change in the store; tell the UI.
    this.timers.push(setInterval(() => this.watchForeignRuns(), 2000));
    for (const t of this.timers) t.unref();
  }

  private watchForeignRuns(): void {
    const own = new Set(this.service.activeRunIds());
    for (const run of this.store.runs.list({ statuses: ['starting', 'running', 'stalled'] })) {
      if (own.has(run.id)) continue;
      const last = this.store.metrics.getSeries(run.id, 'train/loss')?.lastStep ?? -1;
      if (this.foreignSeen.get(run.id) === last) continue;
      this.foreignSeen.set(run.id, last);
      this.events.push({ type: 'run', run: this.service.summary(run.id) });
    }
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.service.close({ pauseRunning: true, timeoutMs: 30_000 });
    await this.downloads.close();
    await this.monitor.stop();
    this.events.flush();
    this.events.close();
    this.store.close();
  }
}

/** Whether @tensorflow/tfjs-node-gpu is installed (an optional dependency; `clipwb doctor` explains). */
export function gpuBackendInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node-gpu');
    return true;
  } catch {
    return false;
  }
}
