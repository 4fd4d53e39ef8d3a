/**
 * The runs table's logic: which columns exist, how each sorts, and how the filters apply. Pure so it is
 * unit-tested and stays fast with thousands of runs (one pass per filter, one sort).
 */
import type { RunStatus, RunSummary } from '../../src-main/api/types';

export type SortDir = 'asc' | 'desc';
export type ThresholdOp = '<' | '<=' | '>' | '>=';

export interface MetricThreshold {
  key: string;
  op: ThresholdOp;
  value: number;
  which: 'last' | 'best';
}

export interface RunFilter {
  /** Words that must all appear (in name, id, tags, notes, status or a parameter value). */
  text: string;
  tag: string | null;
  /** Empty = every status. */
  statuses: RunStatus[];
  metric: MetricThreshold | null;
}

export const EMPTY_FILTER: RunFilter = { text: '', tag: null, statuses: [], metric: null };

export type CellValue = string | number | null;

export interface RunColumn {
  id: string;
  label: string;
  /** Tooltip for the header. */
  title: string;
  numeric: boolean;
  value(run: RunSummary): CellValue;
}

export const ALL_STATUSES: readonly RunStatus[] = ['queued', 'starting', 'running', 'paused', 'stalled', 'finished', 'failed', 'cancelled', 'interrupted'];

/** Statuses in which a run is doing (or about to do) work: the dashboard's "active runs". */
export const ACTIVE_STATUSES: readonly RunStatus[] = ['starting', 'running', 'stalled', 'paused'];

const param = (key: string) => (r: RunSummary): CellValue => {
  const v = r.params[key];
  if (v === undefined || v === null) return null;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return v;
};

function gpusOf(r: RunSummary): string {
  if (r.devices.length > 0) return r.devices.join(',');
  const n = r.params.nproc;
  return typeof n === 'number' && n > 1 ? `${n}× cpu` : 'cpu';
}

const FIXED_COLUMNS: RunColumn[] = [
  { id: 'status', label: 'Status', title: 'Run status', numeric: false, value: (r) => r.status },
  { id: 'name', label: 'Name', title: 'Run name', numeric: false, value: (r) => r.name },
  { id: 'tags', label: 'Tags', title: 'Tags', numeric: false, value: (r) => (r.tags.length ? r.tags.join(', ') : null) },
  { id: 'model', label: 'Model', title: 'Model config (--model)', numeric: false, value: param('model') },
  { id: 'objective', label: 'Objective', title: 'InfoNCE or the FastCLIP version', numeric: false, value: param('objective') },
  { id: 'teacher', label: 'Teacher', title: 'Reference model for distillation (--distill-model)', numeric: false, value: param('distillModel') },
  { id: 'lr', label: 'LR', title: 'Learning rate (--lr)', numeric: true, value: param('lr') },
  { id: 'batch', label: 'Batch', title: 'Batch size per GPU (--batch-size)', numeric: true, value: param('batchSize') },
  { id: 'gpus', label: 'GPUs', title: 'Devices the run uses', numeric: false, value: gpusOf },
  { id: 'created', label: 'Created', title: 'When the run was created', numeric: true, value: (r) => r.createdAt },
];

/** Eval keys first shown as columns; more would make the table unreadable (the threshold filter reaches all). */
export const MAX_EVAL_COLUMNS = 6;

/** Every metric key any of these runs reports (last or best), sorted. */
export function metricKeysOf(runs: readonly RunSummary[]): string[] {
  const keys = new Set<string>();
  for (const r of runs) {
    for (const k of Object.keys(r.lastMetrics)) keys.add(k);
    for (const k of Object.keys(r.bestMetrics)) keys.add(k);
  }
  return [...keys].sort();
}

/** Evaluation metrics: everything not logged by the training loop itself. */
export const isEvalKey = (key: string): boolean => !key.startsWith('train/');

export function runColumns(runs: readonly RunSummary[]): RunColumn[] {
  const cols = [...FIXED_COLUMNS];
  cols.push(
    { id: 'last:train/loss', label: 'Loss (last)', title: 'train/loss, last logged value', numeric: true, value: (r) => r.lastMetrics['train/loss'] ?? null },
    { id: 'best:train/loss', label: 'Loss (best)', title: 'train/loss, lowest value', numeric: true, value: (r) => r.bestMetrics['train/loss'] ?? null },
  );
  for (const key of metricKeysOf(runs).filter(isEvalKey).slice(0, MAX_EVAL_COLUMNS)) {
    cols.push({ id: `last:${key}`, label: key.replace(/^(val|eval)\//, ''), title: `${key}, last value (best in the tooltip)`, numeric: true, value: (r) => r.lastMetrics[key] ?? null });
  }
  return cols;
}

export function compareCells(a: CellValue, b: CellValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true, sensitivity: 'base' });
}

/** Sorted copy; missing values (null, NaN) go last in both directions, so a sort never buries data. */
export function sortRuns(runs: readonly RunSummary[], column: RunColumn, dir: SortDir): RunSummary[] {
  const sign = dir === 'asc' ? 1 : -1;
  const missing = (v: CellValue) => v === null || (typeof v === 'number' && Number.isNaN(v));
  const keyed = runs.map((r) => ({ r, v: column.value(r) }));
  keyed.sort((x, y) => {
    const mx = missing(x.v);
    const my = missing(y.v);
    if (mx || my) return mx === my ? 0 : mx ? 1 : -1;
    return sign * compareCells(x.v, y.v);
  });
  return keyed.map((k) => k.r);
}

function haystack(r: RunSummary): string {
  const parts = [r.id, r.name, r.status, r.notes, ...r.tags, ...r.devices];
  for (const v of Object.values(r.params)) if (v !== null) parts.push(String(v));
  return parts.join('\n').toLowerCase();
}

export function passesThreshold(r: RunSummary, t: MetricThreshold): boolean {
  const v = (t.which === 'best' ? r.bestMetrics : r.lastMetrics)[t.key];
  if (v === undefined || v === null || !Number.isFinite(v)) return false;
  switch (t.op) {
    case '<': return v < t.value;
    case '<=': return v <= t.value;
    case '>': return v > t.value;
    case '>=': return v >= t.value;
  }
}

export function filterRuns(runs: readonly RunSummary[], f: RunFilter): RunSummary[] {
  const words = f.text.toLowerCase().split(/\s+/).filter((w) => w.length > 0);
  const statuses = f.statuses.length > 0 ? new Set(f.statuses) : null;
  return runs.filter((r) => {
    if (statuses && !statuses.has(r.status)) return false;
    if (f.tag && !r.tags.includes(f.tag)) return false;
    if (f.metric && !passesThreshold(r, f.metric)) return false;
    if (words.length > 0) {
      const h = haystack(r);
      for (const w of words) if (!h.includes(w)) return false;
    }
    return true;
  });
}

export function tagsOf(runs: readonly RunSummary[]): string[] {
  const tags = new Set<string>();
  for (const r of runs) for (const t of r.tags) tags.add(t);
  return [...tags].sort((a, b) => a.localeCompare(b));
}

/** "a, b ,, c" → ["a", "b", "c"], without duplicates, as runs.update expects. */
export function parseTags(input: string): string[] {
  const out: string[] = [];
  for (const t of input.split(',')) {
    const s = t.trim();
    if (s && !out.includes(s)) out.push(s);
  }
  return out;
}
