/**
 * A dataset's scan record (from `datasets.scan`, or what the built-in build registered) as short
 * facts for the table, and its problems listed apart so none is hidden in a long line.
 */
import { formatBytes } from '../format';

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const count = (n: number): string => n.toLocaleString('en-US');

export interface ScanSummary { facts: string[]; problems: string[]; scanned: boolean }

export function scanSummary(scan: Record<string, unknown> | null): ScanSummary {
  if (!scan) return { facts: [], problems: [], scanned: false };
  const facts: string[] = [];
  const kind = typeof scan.kind === 'string' && scan.kind !== 'unknown' ? scan.kind : null;
  if (kind) facts.push(kind);
  const shards = num(scan.shards);
  if (shards !== null) facts.push(`${count(shards)} shard${shards === 1 ? '' : 's'}`);
  const samples = num(scan.samples);
  if (samples !== null) facts.push(`${count(samples)} samples`);
  const bytes = num(scan.bytes);
  if (bytes !== null && bytes > 0) facts.push(formatBytes(bytes));
  const minKey = num(scan.minKey);
  const maxKey = num(scan.maxKey);
  if (minKey !== null && maxKey !== null) facts.push(`keys ${count(minKey)}–${count(maxKey)}`);
  const need = num(scan.dataSizeNeeded) ?? num(scan.dataSize);
  if (need !== null) facts.push(`--data_size ≥ ${count(need)}`);
  const classes = num(scan.classes);
  if (classes !== null) facts.push(`${count(classes)} classes`);
  const incomplete = num(scan.incomplete);
  if (incomplete !== null && incomplete > 0) facts.push(`${count(incomplete)} incomplete samples`);
  if (typeof scan.task === 'string') facts.push(`task ${scan.task}`);
  const problems = Array.isArray(scan.problems) ? scan.problems.map(String) : [];
  return { facts, problems, scanned: true };
}
