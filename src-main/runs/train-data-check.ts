/**
 * Whether a training-data value names shards that exist on this machine: for the wizard's field as the
 * user types (runs.checkTrainData) and for the run pre-flight (preflight.ts), so both say the same.
 * Understands the forms the trainer takes: `builtin:<name>`, URLs (not checked here), several sources
 * joined by "::", and brace patterns (`/data/shards/{00000..00139}.tar`: the folder before the first
 * brace must exist and the first and last expanded names are checked). The first shard must be a tar
 * file: a text file or an image given by mistake is named as such, not found out later as "0 samples".
 */
import fs from 'node:fs';
import path from 'node:path';
import { expandBraces } from '../../src-worker/data/shards/brace-expand';
import { BLOCK, parseHeader } from '../../src-worker/data/tar/header';

const REMOTE = /^(https?|s3|gs|pipe|hf):/i;

/** What --train-data takes, for the messages that say what was expected. */
export const TRAIN_DATA_FORMS = 'webdataset .tar shards: one .tar file, a brace pattern like /data/{00000..00139}.tar, a folder of .tar files, ' +
  "several of these joined by '::', or builtin:fashion-mnist";

/** The first and last names a brace pattern expands to (the engine's own expansion, so both agree). */
export function braceEnds(pattern: string): string[] {
  const all = expandBraces(pattern);
  return all.length > 1 ? [all[0]!, all[all.length - 1]!] : all;
}

export function isRemoteSource(part: string): boolean {
  return REMOTE.test(part);
}

/** null when `file` starts with a tar header; otherwise what it is not. Reads one 512-byte block. */
export function notATarShard(file: string): string | null {
  let block: Buffer;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      block = Buffer.alloc(BLOCK);
      const n = fs.readSync(fd, block, 0, BLOCK, 0);
      if (n < BLOCK) return `${file} is not a tar shard (${n === 0 ? 'it is empty' : `it holds only ${n} bytes`}); expected ${TRAIN_DATA_FORMS}`;
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    return `${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); check its permissions`;
  }
  if (parseHeader(block).kind !== 'header') return `${file} is not a tar shard (it does not start with a tar header); expected ${TRAIN_DATA_FORMS}`;
  return null;
}

/** null when every local source exists (and the first file given is a tar shard); otherwise what is wrong and how to fix it. */
export function checkTrainDataPath(value: string, cwd = process.cwd()): string | null {
  const v = value.trim();
  if (v === '' || v.startsWith('builtin:')) return null;
  for (const part of v.split('::').map((p) => p.trim()).filter(Boolean)) {
    if (isRemoteSource(part)) continue;
    const abs = path.resolve(cwd, part);
    const where = path.isAbsolute(part) ? '' : ` (relative paths start at ${cwd})`;
    if (/\{[^}]*\}/.test(part)) {
      const folder = path.dirname(abs.slice(0, abs.indexOf('{')) + 'x');
      if (!fs.existsSync(folder)) return `folder ${folder} does not exist${where}: check the path, or add the data on the Data page`;
      const ends = braceEnds(abs);
      for (const f of ends) {
        if (!fs.existsSync(f)) return `${f} does not exist${where}: check the shard range`;
      }
      const first = ends[0];
      if (first && fs.statSync(first).isFile()) {
        const notTar = notATarShard(first);
        if (notTar) return notTar;
      }
      continue;
    }
    if (!fs.existsSync(abs)) return `${abs} does not exist${where}: give an existing shard file, a pattern like /data/{00000..00139}.tar, or a folder`;
    if (fs.statSync(abs).isFile()) {
      const notTar = notATarShard(abs);
      if (notTar) return notTar;
    }
  }
  return null;
}
