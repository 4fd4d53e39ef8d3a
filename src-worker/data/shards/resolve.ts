/**
 * Turns the user's `--train-data` string into a list of shard files.
 *
 * Several sources are joined with `::` (open_clip's convention); each is brace-expanded. A source that
 * names a directory stands for the `.tar` files directly inside it, sorted. A source whose expansion
 * matches no existing file is an error naming that source; files missing from an otherwise present
 * expansion are listed in `missing` so the caller can warn (a partial download still trains).
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { expandBraces } from './brace-expand';
import { WorkbenchError } from '../../../src-shared/errors';
import { ConfigError } from '../../../src-shared/config/train-config';

export interface ResolvedShards {
  /** Absolute paths of existing shard files, in pattern order. */
  shards: string[];
  /** Absolute paths that the patterns named but that do not exist. */
  missing: string[];
}

export class ShardPatternError extends WorkbenchError {
  constructor(
    message: string,
    readonly pattern: string,
  ) {
    super(message, { kind: 'invalid' });
    this.name = 'ShardPatternError';
  }
}

export function splitSources(spec: string): string[] {
  return spec
    .split('::')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function resolveShards(spec: string | string[], baseDir = process.cwd()): ResolvedShards {
  const sources = (Array.isArray(spec) ? spec : [spec]).flatMap(splitSources);
  if (sources.length === 0) throw new ShardPatternError('no training data given: pass shard paths such as ./data/00000{000..139}.tar', String(spec));
  const shards: string[] = [];
  const missing: string[] = [];
  for (const source of sources) {
    const found: string[] = [];
    for (const name of expandBraces(source)) {
      const abs = path.resolve(baseDir, name);
      const kind = fileKind(abs);
      if (kind === 'file') found.push(abs);
      else if (kind === 'dir') found.push(...tarFilesIn(abs));
      else missing.push(abs);
    }
    if (found.length === 0) {
      throw new ShardPatternError(
        `shard pattern "${source}" matches no existing file (resolved against ${baseDir}); check the path and the {from..to} range`,
        source,
      );
    }
    shards.push(...found);
  }
  return { shards, missing };
}

function fileKind(p: string): 'file' | 'dir' | 'none' {
  try {
    const st = statSync(p);
    if (st.isFile()) return 'file';
    if (st.isDirectory()) return 'dir';
    return 'none';
  } catch {
    return 'none';
  }
}

function tarFilesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith('.tar'))
    .sort()
    .map((n) => path.join(dir, n));
}

const SHARDS_FIX = 'Check the path and the brace pattern, or download the data first';

/**
 * resolveShards for a run's --train-data: a bad pattern or a shard that does not exist is a ConfigError
 * on `train-data`. The run pre-flight and the worker's set-up (the files may change in between) share it.
 */
export function resolveExistingShards(spec: string | string[]): ResolvedShards {
  let resolved: ResolvedShards;
  try {
    resolved = resolveShards(spec);
  } catch (err) {
    throw new ConfigError('train-data', (err as Error).message, SHARDS_FIX);
  }
  if (resolved.missing.length > 0) {
    throw new ConfigError('train-data', `${resolved.missing.length} shard(s) do not exist, e.g. ${resolved.missing[0]}`, SHARDS_FIX);
  }
  return resolved;
}
