/**
 * Whether a training-data value names something that exists on this machine, for the wizard's field
 * as the user types (the run would otherwise fail only when its worker starts). Understands the forms
 * the trainer takes: `builtin:<name>`, URLs (not checked here), several sources joined by "::", and
 * brace patterns (`/data/shards/{00000..00139}.tar`: the folder before the first brace must exist and
 * the first and last expanded names are checked).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expandBraces } from '../../src-worker/data/shards/brace-expand';

const REMOTE = /^(https?|s3|gs|pipe|hf):/i;

/** The first and last names a brace pattern expands to (the engine's own expansion, so both agree). */
export function braceEnds(pattern: string): string[] {
  const all = expandBraces(pattern);
  return all.length > 1 ? [all[0]!, all[all.length - 1]!] : all;
}

/** null when every local source exists; otherwise what is missing and how to fix it. */
export function checkTrainDataPath(value: string, cwd = process.cwd()): string | null {
  const v = value.trim();
  if (v === '' || v.startsWith('builtin:')) return null;
  for (const part of v.split('::').map((p) => p.trim()).filter(Boolean)) {
    if (REMOTE.test(part)) continue;
    const abs = path.resolve(cwd, part);
    const where = path.isAbsolute(part) ? '' : ` (relative paths start at ${cwd})`;
    if (/\{[^}]*\}/.test(part)) {
      const folder = path.dirname(abs.slice(0, abs.indexOf('{')) + 'x');
      if (!fs.existsSync(folder)) return `folder ${folder} does not exist${where}: check the path, or add the data on the Data page`;
      for (const f of braceEnds(abs)) {
        if (!fs.existsSync(f)) return `${f} does not exist${where}: check the shard range`;
      }
      continue;
    }
    if (!fs.existsSync(abs)) return `${abs} does not exist${where}: give an existing shard file, a pattern like /data/{00000..00139}.tar, or a folder`;
  }
  return null;
}
