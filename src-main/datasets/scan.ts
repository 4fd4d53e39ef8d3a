/**
 * Validates a dataset folder before a run uses it: a webdataset shard folder (shard count, size, and on
 * demand samples, key range against --data_size, incomplete samples) or an eval set (classnames,
 * templates, shards). Problems are listed with the fix; nothing is modified.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FileByteSource, openEvalSet, readTar } from '../../src-worker/data';

export interface ScanReport {
  dir: string;
  kind: 'shards' | 'eval-classification' | 'eval-retrieval' | 'unknown';
  shards: number;
  bytes: number;
  samples: number | null;
  minKey: number | null;
  maxKey: number | null;
  /** Smallest --data_size that covers every key (max key + 1). */
  dataSizeNeeded: number | null;
  incomplete: number | null;
  classes: number | null;
  problems: string[];
}

const IMAGE_EXT = new Set(['jpg', 'jpeg', 'png', 'webp']);

export async function scanFolder(dir: string, o: { count?: boolean; dataSize?: number | null } = {}): Promise<ScanReport> {
  const report: ScanReport = { dir: path.resolve(dir), kind: 'unknown', shards: 0, bytes: 0, samples: null, minKey: null, maxKey: null, dataSizeNeeded: null, incomplete: null, classes: null, problems: [] };
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    report.problems.push(`${dir} is not a folder`);
    return report;
  }
  if (fs.existsSync(path.join(dir, 'classnames.txt')) || fs.existsSync(path.join(dir, 'dataset_type.txt')) || fs.existsSync(path.join(dir, 'test', 'nshards.txt'))) {
    try {
      const set = await openEvalSet(dir);
      report.kind = set.kind === 'classification' ? 'eval-classification' : 'eval-retrieval';
      report.shards = set.shards.length;
      report.samples = set.count;
      report.bytes = set.shards.reduce((s, f) => s + fs.statSync(f).size, 0);
      if (set.kind === 'classification') report.classes = set.classnames.length;
    } catch (err) {
      report.kind = 'eval-classification';
      report.problems.push((err as Error).message);
    }
    return report;
  }
  const tars = fs.readdirSync(dir).filter((f) => f.endsWith('.tar')).sort().map((f) => path.join(dir, f));
  if (tars.length === 0) {
    report.problems.push('no .tar shards and no eval-set files (classnames.txt, test/nshards.txt) in this folder');
    return report;
  }
  report.kind = 'shards';
  report.shards = tars.length;
  report.bytes = tars.reduce((s, f) => s + fs.statSync(f).size, 0);
  if (!o.count) return report;
  let samples = 0;
  let incomplete = 0;
  let minKey = Infinity;
  let maxKey = -Infinity;
  const decoder = new TextDecoder();
  for (const tar of tars) {
    const source = await FileByteSource.open(tar);
    type Pending = { key: string; image: boolean; caption: boolean; index: number | null };
    const state: { current: Pending | null } = { current: null };
    const finish = () => {
      const current = state.current;
      if (!current) return;
      if (current.image && current.caption && current.index !== null) {
        samples++;
        minKey = Math.min(minKey, current.index);
        maxKey = Math.max(maxKey, current.index);
      } else incomplete++;
    };
    try {
      for await (const e of readTar(source, { wantData: (name) => name.endsWith('.json'), onDefect: (kind, detail) => report.problems.push(`${path.basename(tar)}: ${kind} ${detail}`) })) {
        const base = path.basename(e.name);
        const dot = base.indexOf('.');
        if (dot <= 0) continue;
        const key = `${path.dirname(e.name)}/${base.slice(0, dot)}`;
        const ext = base.slice(dot + 1).toLowerCase();
        if (state.current?.key !== key) { finish(); state.current = { key, image: false, caption: false, index: null }; }
        const current = state.current!;
        if (IMAGE_EXT.has(ext)) current.image = true;
        else if (ext === 'txt') current.caption = true;
        else if (ext === 'json' && e.data) {
          try {
            const k = (JSON.parse(decoder.decode(e.data)) as { key?: unknown }).key;
            const n = typeof k === 'number' ? k : typeof k === 'string' && /^\d+$/.test(k) ? Number(k) : NaN;
            if (Number.isSafeInteger(n)) current.index = n;
          } catch { /* counted as incomplete */ }
        }
      }
      finish();
    } finally {
      await source.close();
    }
  }
  report.samples = samples;
  report.incomplete = incomplete;
  if (samples > 0) {
    report.minKey = minKey;
    report.maxKey = maxKey;
    report.dataSizeNeeded = maxKey + 1;
    if (o.dataSize != null && o.dataSize <= maxKey) report.problems.push(`--data_size ${o.dataSize} is too small: the largest key is ${maxKey}; use at least ${maxKey + 1}`);
  }
  if (incomplete > 0) report.problems.push(`${incomplete} sample(s) lack an image, a caption or a JSON key; training skips them`);
  return report;
}
