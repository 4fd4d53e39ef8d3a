/**
 * What every clipwb command that touches runs needs: the data folder, the store, and a run service that
 * records CLI runs in the same store as the app. Both are built by the app's composition root
 * (app/compose.ts), as for the web mode and Electron.
 */
import type { GpuMonitor } from '../gpu/monitor';
import type { RunService } from '../runs/service';
import { composeWorkbench, openWorkbenchStore, type WorkbenchStore } from '../app/compose';

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

/** The lighter path: the data folder, the store and the services over it alone (app/compose.ts). */
export type CliContext = WorkbenchStore;

export function openContext(home: string | undefined): CliContext {
  return openWorkbenchStore(home);
}

/** The run service (and the GPU monitor it schedules by) over an open context; the caller closes both. */
export async function openRunService(ctx: CliContext): Promise<{ service: RunService; monitor: GpuMonitor }> {
  const wb = await composeWorkbench({ origin: 'cli', base: ctx });
  return { service: wb.runs, monitor: wb.monitor };
}
