/**
 * What every clipwb command that touches runs needs: the data folder, the store, and a run service that
 * records CLI runs in the same store as the app.
 */
import fs from 'node:fs';
import { resolveDataDir, dataLayout, type DataLayout } from '../paths';
import { openStore, type Store } from '../store';
import { RunService } from '../runs/service';
import { GpuMonitor } from '../gpu/monitor';
import { gpuStates, startMonitorAndWait } from '../core/gpu-state';

export const HOME_FLAG = { name: 'home', type: 'string' as const, help: 'Workbench data folder (default $CLIPWB_HOME, else ~/.local/share/clip-workbench)' };

/** Removes `--home DIR` / `--home=DIR` from argv and returns it. */
export function takeHomeFlag(argv: string[]): { home: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let home: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--home') home = argv[++i];
    else if (a.startsWith('--home=')) home = a.slice(7);
    else rest.push(a);
  }
  return { home, rest };
}

export interface CliContext {
  dataDir: string;
  layout: DataLayout;
  store: Store;
  close(): Promise<void>;
}

export function openContext(home: string | undefined): CliContext {
  const dataDir = resolveDataDir({ flag: home });
  fs.mkdirSync(dataDir, { recursive: true });
  const layout = dataLayout(dataDir);
  const store = openStore({ file: layout.database });
  return { dataDir, layout, store, close: async () => store.close() };
}

export async function openRunService(ctx: CliContext): Promise<{ service: RunService; monitor: GpuMonitor }> {
  const monitor = new GpuMonitor();
  await startMonitorAndWait(monitor);
  const service = new RunService({ store: ctx.store, dataDir: ctx.dataDir, gpus: () => gpuStates(monitor), origin: 'cli', autoStart: false });
  return { service, monitor };
}
