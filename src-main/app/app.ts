/**
 * The workbench core as one object: store, run service, GPU monitor, downloads, datasets and the API
 * methods over them. Electron's main process and the web server both host one WorkbenchApp; neither
 * adds behaviour of its own, so what one front end does the other does too.
 */
import type { Store } from '../store';
import type { DataLayout } from '../paths';
import type { RunService } from '../runs/service';
import type { GpuMonitor } from '../gpu/monitor';
import { collectSystemInventory, type SystemInventory } from '../system/inventory';
import { SystemSampler } from '../system/live';
import { API, ApiError, parseRequest, type ApiMethod, type ApiOutput, type ApiParsedInput } from '../../src-shared/api/contract';
import type { ApiEvent, GpuSample } from '../../src-shared/api/types';
import type { DatasetService } from '../datasets/service';
import { EventBatcher } from './events';
import { createHandlers } from './handlers';
import type { DownloadsService } from './downloads-service';
import type { AppWorkbench, ComposeOptions } from './compose';
import { toApiError } from './api-error';

/** Also here for the Electron main process, which takes it with WorkbenchApp. */
export { toApiError };

/** What the app is started with: the composition options (app/compose.ts) less the origin. */
export type AppOptions = Omit<ComposeOptions, 'origin' | 'base'>;

export type Handlers = { [M in ApiMethod]: (input: ApiParsedInput<M>) => Promise<ApiOutput<M>> | ApiOutput<M> };

export class WorkbenchApp {
  readonly events = new EventBatcher(300);
  inventory: SystemInventory | null = null;
  /** CPU per core, memory and disk free, sampled every SYSTEM_SAMPLE_MS (the dashboard's system panel). */
  readonly system: SystemSampler;
  private readonly handlers: Handlers;
  private timers: NodeJS.Timeout[] = [];
  private readonly foreignSeen = new Map<string, number>();

  readonly dataDir: string;
  readonly layout: DataLayout;
  readonly store: Store;
  readonly service: RunService;
  readonly monitor: GpuMonitor;
  readonly downloads: DownloadsService;
  readonly datasets: DatasetService;

  private constructor(private readonly services: AppWorkbench) {
    ({ dataDir: this.dataDir, layout: this.layout, store: this.store, runs: this.service, monitor: this.monitor, downloads: this.downloads, datasets: this.datasets } = services);
    this.system = new SystemSampler(this.dataDir);
    this.system.sample();
    this.handlers = createHandlers(this);
    this.service.on('event', (e) => this.events.push(e));
    this.downloads.on('event', (e) => this.events.push(e));
  }

  /** Hosts the services composeWorkbench built for the app (Electron, the web mode); closing the app closes them. */
  static start(services: AppWorkbench, o: { env?: NodeJS.ProcessEnv } = {}): WorkbenchApp {
    const app = new WorkbenchApp(services);
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
    await this.services.close({ pauseRunning: true, timeoutMs: 30_000 });
    this.events.flush();
    this.events.close();
  }
}
