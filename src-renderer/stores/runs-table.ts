/**
 * The runs table's logic: which columns exist, how each sorts, and how the filters apply. Pure so it is
 * unit-tested and stays fast with thousands of runs (one pass per filter, one sort).
 */
import type { RunStatus, RunSummary } from '../../src-shared/api/types';

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

/**
 * How a column prints numbers: `sci` in exponent form for every value (learning rates: "5e-4" next to
 * "2e-3", never "0.002"), `metric` with four decimals so a column lines up, `int` grouped, `time` as a
 * timestamp (the page formats it), `text` as it is.
 */
export type CellFormat = 'text' | 'int' | 'sci' | 'metric' | 'time';

export interface RunColumn {
  id: string;
  label: string;
  /** Tooltip for the header. */
  title: string;
  numeric: boolean;
  format: CellFormat;
  value(run: RunSummary): CellValue;
}

/** Columns the picker cannot hide: the name identifies the row. */
export const REQUIRED_COLUMNS: readonly string[] = ['name'];
/** Hidden until picked, so the default table fits 1440 px. */
export const DEFAULT_HIDDEN_COLUMNS: readonly string[] = ['gpus', 'best:train/loss', 'teacher'];

/** "5e-4", "2e-3", "1.5e-4": one notation for a whole column. */
export function formatSci(v: number): string {
  if (v === 0) return '0';
  const [m, e] = v.toExponential(2).split('e');
  return `${(m ?? '').replace(/\.?0+$/, '')}e${Number(e)}`;
}

export function formatCell(format: CellFormat, v: CellValue): string {
  if (v === null) return '—';
  if (typeof v !== 'number') return v;
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '-∞';
  switch (format) {
    case 'sci': return formatSci(v);
    case 'int': return Number.isInteger(v) ? v.toLocaleString('en-US') : String(v);
    case 'metric': return Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-4) ? formatSci(v) : v.toFixed(4);
    default: return String(v);
  }
}

/** The columns to show: all but the hidden ones, never dropping a required one. */
export function visibleColumns(columns: readonly RunColumn[], hidden: ReadonlySet<string>): RunColumn[] {
  return columns.filter((c) => REQUIRED_COLUMNS.includes(c.id) || !hidden.has(c.id));
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
  // Name first: it is the column that stays in view when the table scrolls sideways.
  { id: 'name', label: 'Name', title: 'Run name', numeric: false, format: 'text', value: (r) => r.name },
  { id: 'status', label: 'Status', title: 'Run status', numeric: false, format: 'text', value: (r) => r.status },
  { id: 'tags', label: 'Tags', title: 'Tags', numeric: false, format: 'text', value: (r) => (r.tags.length ? r.tags.join(', ') : null) },
  { id: 'model', label: 'Model', title: 'Model config (--model)', numeric: false, format: 'text', value: param('model') },
  { id: 'objective', label: 'Objective', title: 'InfoNCE or the FastCLIP version', numeric: false, format: 'text', value: param('objective') },
  { id: 'teacher', label: 'Teacher', title: 'Reference model for distillation (--distill-model)', numeric: false, format: 'text', value: param('distillModel') },
  { id: 'lr', label: 'LR', title: 'Learning rate (--lr)', numeric: true, format: 'sci', value: param('lr') },
  { id: 'batch', label: 'Batch', title: 'Batch size per GPU (--batch-size)', numeric: true, format: 'int', value: param('batchSize') },
  { id: 'gpus', label: 'GPUs', title: 'Devices the run uses', numeric: false, format: 'text', value: gpusOf },
  { id: 'created', label: 'Created', title: 'When the run was created', numeric: true, format: 'time', value: (r) => r.createdAt },
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
    { id: 'last:train/loss', label: 'Loss (last)', title: 'train/loss, last logged value', numeric: true, format: 'metric', value: (r) => r.lastMetrics['train/loss'] ?? null },
    { id: 'best:train/loss', label: 'Loss (best)', title: 'train/loss, lowest value', numeric: true, format: 'metric', value: (r) => r.bestMetrics['train/loss'] ?? null },
  );
  for (const key of metricKeysOf(runs).filter(isEvalKey).slice(0, MAX_EVAL_COLUMNS)) {
    // A break opportunity after each "/" lets a long key ("fashion_mnist/mean_per_class_recall") wrap in its header.
    cols.push({ id: `last:${key}`, label: key.replace(/^(val|eval)\//, '').replace(/\//g, '/\u200b'), title: `${key}, last value (best in the tooltip)`, numeric: true, format: 'metric', value: (r) => r.lastMetrics[key] ?? null });
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
