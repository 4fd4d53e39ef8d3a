/**
 * The data folder: where the database, runs, datasets, models and downloads live.
 *
 * Precedence: the `--data-dir` flag (passed in by the caller), then env `CLIPWB_HOME`, then the OS default
 * (Linux `$XDG_DATA_HOME/clip-workbench` or `~/.local/share/clip-workbench`; macOS
 * `~/Library/Application Support/CLIP Workbench`; Windows `%APPDATA%\CLIP Workbench`).
 * Paths are computed without touching the disk; `ensureDir` creates a folder when something is about to
 * be written there, so merely resolving a layout never litters the filesystem.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkbenchError } from '../src-shared/errors';

export interface DataDirSources {
  /** Value of the `--data-dir` flag, if given. */
  flag?: string | undefined;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  homedir?: string;
  /** Base for a relative flag or CLIPWB_HOME; defaults to process.cwd(). */
  cwd?: string;
}

export const DATA_DIR_ENV = 'CLIPWB_HOME';
export const DATABASE_FILE = 'clipwb.sqlite';

/** Run ids become folder names, so they are restricted to characters that are safe on every OS. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function pathApi(platform: NodeJS.Platform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

export function defaultDataDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  homedir: string = os.homedir(),
): string {
  const p = pathApi(platform);
  if (platform === 'win32') {
    const appData = env.APPDATA;
    const base = appData && p.isAbsolute(appData) ? appData : p.join(homedir, 'AppData', 'Roaming');
    return p.join(base, 'CLIP Workbench');
  }
  if (platform === 'darwin') {
    return p.join(homedir, 'Library', 'Application Support', 'CLIP Workbench');
  }
  // The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
  const xdg = env.XDG_DATA_HOME;
  const base = xdg && p.isAbsolute(xdg) ? xdg : p.join(homedir, '.local', 'share');
  return p.join(base, 'clip-workbench');
}

function expandUserPath(raw: string, platform: NodeJS.Platform, homedir: string, cwd: string): string {
  const p = pathApi(platform);
  // `--data-dir=~/x` reaches us unexpanded because the shell only expands a leading `~` of a word.
  let value = raw;
  if (value === '~') value = homedir;
  else if (value.startsWith('~/') || (platform === 'win32' && value.startsWith('~\\'))) {
    value = p.join(homedir, value.slice(2));
  }
  return p.resolve(cwd, value);
}

/** The data folder the app uses, as an absolute path. */
export function resolveDataDir(sources: DataDirSources = {}): string {
  const platform = sources.platform ?? process.platform;
  const env = sources.env ?? process.env;
  const homedir = sources.homedir ?? os.homedir();
  const cwd = sources.cwd ?? process.cwd();
  if (sources.flag !== undefined) {
    if (sources.flag.trim() === '') {
      throw new WorkbenchError('--data-dir is empty: give a folder path, e.g. --data-dir ~/clipwb-data', { kind: 'invalid', field: 'data-dir' });
    }
    return expandUserPath(sources.flag, platform, homedir, cwd);
  }
  const fromEnv = env[DATA_DIR_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    return expandUserPath(fromEnv, platform, homedir, cwd);
  }
  return defaultDataDir(platform, env, homedir);
}

export function assertRunId(runId: string): void {
  if (!RUN_ID_PATTERN.test(runId)) {
    throw new WorkbenchError(
      `run id ${JSON.stringify(runId)} is not usable as a folder name: use 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit`,
      { kind: 'invalid', field: 'id' },
    );
  }
}

export interface DataLayout {
  root: string;
  database: string;
  runs: string;
  datasets: string;
  models: string;
  downloads: string;
  /** Persistent CUDA_CACHE_PATH so PTX JIT compilation is paid once, not per run. */
  cudaCache: string;
  runDir(runId: string): string;
  runCheckpoints(runId: string): string;
  runLogs(runId: string): string;
  runEvalResults(runId: string): string;
}

export function dataLayout(root: string): DataLayout {
  const p = path;
  const runs = p.join(root, 'runs');
  const runDir = (runId: string): string => {
    assertRunId(runId);
    return p.join(runs, runId);
  };
  return {
    root,
    database: p.join(root, DATABASE_FILE),
    runs,
    datasets: p.join(root, 'datasets'),
    models: p.join(root, 'models'),
    downloads: p.join(root, 'downloads'),
    cudaCache: p.join(root, 'cuda-cache'),
    runDir,
    runCheckpoints: (runId) => p.join(runDir(runId), 'checkpoints'),
    runLogs: (runId) => p.join(runDir(runId), 'logs'),
    runEvalResults: (runId) => p.join(runDir(runId), 'eval_results'),
  };
}

/** Creates the folder (and its parents) if missing and returns it, for use right before writing. */
export function ensureDir(dir: string): string {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new WorkbenchError(
      `cannot create folder ${dir} (${code}): check that its parent is writable, or choose another data folder with --data-dir or ${DATA_DIR_ENV}`,
      { kind: 'unavailable', cause: err },
    );
  }
  return dir;
}
