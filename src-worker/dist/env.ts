/**
 * The environment contract between the launcher and its K worker processes. The launcher builds it
 * with distEnv(); a worker reads it with communicatorFromEnv(). Absent variables mean a single-process
 * run; a partial or malformed set is an error that names the variable.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type GroupCommunicator, LocalCommunicator } from './communicator';
import { CollectiveError } from './errors';
import { createCommunicator, type CommunicatorOptions } from './shm-communicator';

export const DIST_ENV = {
  dir: 'CLIPWB_DIST_DIR',
  rank: 'CLIPWB_RANK',
  worldSize: 'CLIPWB_WORLD_SIZE',
  runId: 'CLIPWB_DIST_RUN_ID',
  timeoutMs: 'CLIPWB_DIST_TIMEOUT_MS',
} as const;

export interface DistSettings {
  dir: string;
  rank: number;
  worldSize: number;
  runId?: string;
  timeoutMs?: number;
}

/** The variables to add to rank `rank`'s environment. */
export function distEnv(s: DistSettings): Record<string, string> {
  const env: Record<string, string> = {
    [DIST_ENV.dir]: s.dir,
    [DIST_ENV.rank]: String(s.rank),
    [DIST_ENV.worldSize]: String(s.worldSize),
  };
  if (s.runId !== undefined) env[DIST_ENV.runId] = s.runId;
  if (s.timeoutMs !== undefined) env[DIST_ENV.timeoutMs] = String(s.timeoutMs);
  return env;
}

function parseIntVar(env: NodeJS.ProcessEnv, name: string, min: number, max: number): number {
  const raw = env[name] ?? '';
  const v = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    throw new CollectiveError('invalid-argument', [], `${name} must be an integer in [${min}, ${max}], got '${raw}'`);
  }
  return v;
}

/** Reads the settings, or returns undefined when the process was started without any of them. */
export function readDistEnv(env: NodeJS.ProcessEnv = process.env): DistSettings | undefined {
  const core = [DIST_ENV.dir, DIST_ENV.rank, DIST_ENV.worldSize];
  const present = core.filter((k) => env[k] !== undefined && env[k] !== '');
  if (present.length === 0) return undefined;
  if (present.length < core.length) {
    const missing = core.filter((k) => !present.includes(k));
    throw new CollectiveError('invalid-argument', [], `${present.join(' and ')} set but ${missing.join(' and ')} missing: ` +
      `a distributed worker needs all of ${core.join(', ')} (the launcher sets them).`);
  }
  const worldSize = parseIntVar(env, DIST_ENV.worldSize, 1, 1024);
  const s: DistSettings = {
    dir: env[DIST_ENV.dir]!,
    rank: parseIntVar(env, DIST_ENV.rank, 0, worldSize - 1),
    worldSize,
  };
  const runId = env[DIST_ENV.runId];
  if (runId) s.runId = runId;
  if (env[DIST_ENV.timeoutMs]) s.timeoutMs = parseIntVar(env, DIST_ENV.timeoutMs, 1, 2 ** 31 - 1);
  return s;
}

/**
 * The communicator this worker process should use: LocalCommunicator without the variables or with a
 * world size of 1, otherwise it joins the group (blocking until every rank joined).
 */
export function communicatorFromEnv(env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Omit<CommunicatorOptions, 'dir' | 'rank' | 'worldSize'>> = {}): GroupCommunicator {
  const s = readDistEnv(env);
  if (!s || s.worldSize === 1) return new LocalCommunicator();
  return createCommunicator({ ...s, ...overrides });
}

/**
 * A fresh folder for one launch, on /dev/shm where it exists (buffers there are memory, elsewhere they
 * would be written towards a disk). The launcher removes it when the run ends.
 */
export function makeDistDir(prefix = 'clipwb-dist-'): string {
  const shm = '/dev/shm';
  let root = os.tmpdir();
  try {
    fs.accessSync(shm, fs.constants.W_OK);
    root = shm;
  } catch {
    // No writable /dev/shm (macOS, some containers): the OS temp folder still works, more slowly.
  }
  return fs.mkdtempSync(path.join(root, prefix));
}
