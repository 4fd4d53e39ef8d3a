/**
 * Where the worker program is and how to start it, independent of the caller's current directory:
 *
 *  - the packaged app (and any electron-vite build): the compiled bundle `worker.js` beside the main
 *    bundle, forked with the Electron binary in Node mode (ELECTRON_RUN_AS_NODE=1), no TypeScript loader;
 *  - the CLI, web mode and tests, which run from source: `src-worker/main.ts` with the tsx loader.
 *
 * The tsx loader is passed as an absolute file URL resolved from this module's own location, not as the
 * bare name `tsx`: Node resolves a bare `--import tsx` against the current directory, so `clipwb` run
 * from another folder (npm link, npx) could not start a worker. Resolving it here needs no build step and
 * finds the tsx that the installed package depends on.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface WorkerEntry {
  /** Module to fork. */
  file: string;
  /** Node options the child needs (the tsx loader for sources). */
  execArgv: string[];
  /** Environment the child needs on top of the worker's own (Node mode under Electron). */
  env: Record<string, string>;
}

/** `--import <file URL of tsx's loader>`, resolved from this package, not from the current directory. */
export function tsxImportArgs(): string[] {
  const loader = createRequire(import.meta.url).resolve('tsx');
  return ['--import', pathToFileURL(loader).href];
}

/** Under Electron, process.execPath is the app binary: a forked worker must run as plain Node. */
function nodeModeEnv(): Record<string, string> {
  return process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {};
}

function entryFor(file: string): WorkerEntry {
  const absolute = path.resolve(file);
  return { file: absolute, execArgv: absolute.endsWith('.ts') ? tsxImportArgs() : [], env: nodeModeEnv() };
}

export function resolveWorkerEntry(): WorkerEntry {
  const override = process.env.CLIPWB_WORKER_ENTRY;
  if (override) return entryFor(override);
  const bundled = path.join(here, 'worker.js');
  if (here.includes(`${path.sep}out${path.sep}`) && fs.existsSync(bundled)) return entryFor(bundled);
  return entryFor(path.resolve(here, '..', '..', 'src-worker', 'main.ts'));
}
