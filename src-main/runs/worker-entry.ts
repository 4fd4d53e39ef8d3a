/**
 * Where the worker program is and how to start it: the built bundle next to the main bundle in the
 * packaged app, else the TypeScript source through tsx (CLI, web mode and tests run from source).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface WorkerEntry {
  /** Module to fork. */
  file: string;
  /** Node options the child needs (the tsx loader for sources). */
  execArgv: string[];
}

export function resolveWorkerEntry(): WorkerEntry {
  const override = process.env.CLIPWB_WORKER_ENTRY;
  if (override) return { file: override, execArgv: override.endsWith('.ts') ? ['--import', 'tsx'] : [] };
  const bundled = path.join(here, 'worker.js');
  if (here.includes(`${path.sep}out${path.sep}`) && fs.existsSync(bundled)) return { file: bundled, execArgv: [] };
  return { file: path.resolve(here, '..', '..', 'src-worker', 'main.ts'), execArgv: ['--import', 'tsx'] };
}
