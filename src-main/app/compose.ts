/**
 * The one place the workbench's services are built. The CLI (cli/context.ts), the web mode
 * (server/web-server.ts) and Electron (electron/main.ts) all get their services from here, so a service
 * is wired the same way whichever front end asks for it; the front ends only translate.
 *
 * - `openWorkbenchStore`: the data folder, the store and the services that need nothing more (datasets).
 *   CLI commands that only read or record (data, runs list) stop here.
 * - `composeWorkbench`: that, plus the GPU monitor and the run service (queue, scheduler, evaluation
 *   jobs), and for the app the downloads service.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { openStore, type Store } from '../store';
import { dataLayout, resolveDataDir, type DataLayout } from '../paths';
import { RunService } from '../runs/service';
import { GpuMonitor } from '../gpu/monitor';
import { gpuStates, startMonitorAndWait } from '../core/gpu-state';
import { DownloadManager } from '../downloads/manager';
import { DatasetService } from '../datasets/service';
import { DownloadsService } from './downloads-service';

export interface WorkbenchStore {
  dataDir: string;
  layout: DataLayout;
  store: Store;
  datasets: DatasetService;
  /** Closes the store. */
  close(): Promise<void>;
}

export interface ComposeOptions {
  /** Data folder (flag); default $CLIPWB_HOME or the OS default. */
  home?: string;
  /**
   * 'app' (Electron, the web mode): starts queued runs by itself and owns the downloads it records.
   * 'cli': starts only the run it was asked for, and leaves the app's downloads alone.
   */
  origin: 'app' | 'cli';
  /** An open store to build on (a CLI command that opened it first); otherwise one is opened and owned. */
  base?: WorkbenchStore;
  /** Extra environment for worker processes (tests). */
  workerEnv?: Record<string, string>;
  /** Environment for nvidia-smi (tests put a fake one on PATH). */
  env?: NodeJS.ProcessEnv;
  stallFactor?: number;
  minStallMs?: number;
}

export interface Workbench extends WorkbenchStore {
  monitor: GpuMonitor;
  runs: RunService;
  /** The app's downloads; null for the CLI (its downloads run in the foreground, see cli/commands/data.ts). */
  downloads: DownloadsService | null;
  /** Stops everything this call built (running runs are paused with a checkpoint when `pauseRunning`). */
  close(o?: { pauseRunning?: boolean; timeoutMs?: number }): Promise<void>;
}

export type AppWorkbench = Workbench & { downloads: DownloadsService };

/** The data folder and its store, with the services that need nothing else. */
export function openWorkbenchStore(home: string | undefined): WorkbenchStore {
  const dataDir = resolveDataDir({ flag: home });
  fs.mkdirSync(dataDir, { recursive: true });
  const layout = dataLayout(dataDir);
  const store = openStore({ file: layout.database });
  return { dataDir, layout, store, datasets: new DatasetService(store, dataDir), close: async () => store.close() };
}

export async function composeWorkbench(o: ComposeOptions & { origin: 'app' }): Promise<AppWorkbench>;
export async function composeWorkbench(o: ComposeOptions): Promise<Workbench>;
export async function composeWorkbench(o: ComposeOptions): Promise<Workbench> {
  const base = o.base ?? openWorkbenchStore(o.home);
  const { store, dataDir } = base;
  let runs: RunService | null = null;
  const monitor = new GpuMonitor({ env: o.env ?? process.env, runForPid: (pid) => runs?.workerPids().get(pid) });
  await startMonitorAndWait(monitor);
  // The app, without tfjs-node-gpu, cannot compute on a GPU: it schedules on the CPU instead of holding
  // GPUs idle. The CLI has always scheduled on the GPUs it sees; kept as it was.
  const gpuBackend = o.origin === 'cli' || gpuBackendInstalled();
  runs = new RunService({
    store, dataDir, gpus: () => (gpuBackend ? gpuStates(monitor) : []), origin: o.origin, autoStart: o.origin === 'app',
    workerEnv: o.workerEnv, stallFactor: o.stallFactor, minStallMs: o.minStallMs,
  });
  const service = runs;
  const downloads = o.origin === 'app' ? new DownloadsService(store, dataDir, new DownloadManager({ concurrency: 3 }), base.datasets) : null;
  return {
    ...base, monitor, runs: service, downloads,
    async close(c = {}) {
      await service.close(c);
      await downloads?.close();
      await monitor.stop();
      if (!o.base) await base.close();
    },
  };
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
