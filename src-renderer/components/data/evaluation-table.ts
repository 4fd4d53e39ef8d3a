/**
 * The Evaluations page's checkpoint × task table on top of the shared matrix (stores/eval-matrix.ts):
 * filtered by run and task, an average of the main metrics per checkpoint over the tasks shown, the
 * best value per column among the rows shown, and sorting with missing values always last.
 */
import type { CheckpointInfo, EvaluationRow } from '../../../src-shared/api/types';
import type { EvalMatrix, EvalMatrixRow } from '../../stores/eval-matrix';

export interface EvalFilter {
  /** Empty = every run. */
  runIds: readonly string[];
  /** Empty = every task. */
  tasks: readonly string[];
}

export type EvalSortKey = 'run' | 'epoch' | 'step' | 'average' | `task:${string}`;

export interface EvalTableRow extends EvalMatrixRow {
  /** Mean of the main metrics over the tasks shown that this row has; null when it has none. */
  average: number | null;
  /** How many of the shown tasks the average covers. */
  counted: number;
}

export interface EvalTable {
  tasks: string[];
  rows: EvalTableRow[];
  /** Per task, the row key holding the best main metric among the rows shown. */
  best: Record<string, string>;
  bestAverage: string | null;
}

const mainValue = (row: EvalMatrixRow, task: string): number | null => {
  const v = row.cells[task]?.main?.value;
  return v !== undefined && v !== null && Number.isFinite(v) ? v : null;
};

function sortValue(row: EvalTableRow, key: EvalSortKey): string | number | null {
  if (key === 'run') return row.runName;
  if (key === 'epoch') return row.epoch;
  if (key === 'step') return row.step;
  if (key === 'average') return row.average;
  return mainValue(row, key.slice('task:'.length));
}

export function sortRows(rows: readonly EvalTableRow[], key: EvalSortKey, dir: 'asc' | 'desc'): EvalTableRow[] {
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const va = sortValue(a, key);
    const vb = sortValue(b, key);
    if (va === null || vb === null) {
      if (va !== vb) return va === null ? 1 : -1;
    } else {
      const c = typeof va === 'string' || typeof vb === 'string' ? String(va).localeCompare(String(vb)) : va - vb;
      if (c !== 0) return sign * c;
    }
    // Ties keep a stable, readable order: run, then training progress.
    return a.runName.localeCompare(b.runName) || (a.step ?? -1) - (b.step ?? -1) || a.key.localeCompare(b.key);
  });
}

export function evaluationTable(matrix: EvalMatrix, filter: EvalFilter, sort: { key: EvalSortKey; dir: 'asc' | 'desc' }): EvalTable {
  const tasks = filter.tasks.length ? matrix.tasks.filter((t) => filter.tasks.includes(t)) : [...matrix.tasks];
  const shown = filter.runIds.length ? matrix.rows.filter((r) => filter.runIds.includes(r.runId)) : matrix.rows;
  // Each row's main values are read once, then serve the average and the per-column bests.
  const best: Record<string, string> = {};
  const top = new Array<number>(tasks.length).fill(-Infinity);
  let bestAverage: string | null = null;
  let bestAverageValue = -Infinity;
  const withAverages = shown.map((r): EvalTableRow => {
    let sum = 0;
    let counted = 0;
    for (let i = 0; i < tasks.length; i++) {
      const v = mainValue(r, tasks[i]!);
      if (v === null) continue;
      sum += v;
      counted++;
      if (v > top[i]!) { top[i] = v; best[tasks[i]!] = r.key; }
    }
    const average = counted > 0 ? sum / counted : null;
    // An average over fewer tasks is not comparable, so only rows covering every shown task compete.
    if (average !== null && counted === tasks.length && average > bestAverageValue) { bestAverageValue = average; bestAverage = r.key; }
    return { ...r, average, counted };
  });
  return { tasks, rows: sortRows(withAverages, sort.key, sort.dir), best, bestAverage };
}

/** Runs that have evaluations, for the run filter. */
export function runsOf(matrix: EvalMatrix): { id: string; name: string }[] {
  const seen = new Map<string, string>();
  for (const r of matrix.rows) if (!seen.has(r.runId)) seen.set(r.runId, r.runName);
  return [...seen].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * How a checkpoint is named in tables: its place in its own run ("checkpoint 1 of 3", oldest first by
 * step), never the database id (a run's first checkpoint may well be id 4).
 */
export function checkpointLabels(checkpoints: readonly CheckpointInfo[]): Map<number, string> {
  const byRun = new Map<string, CheckpointInfo[]>();
  for (const c of checkpoints) {
    const list = byRun.get(c.runId) ?? [];
    list.push(c);
    byRun.set(c.runId, list);
  }
  const out = new Map<number, string>();
  for (const list of byRun.values()) {
    list.sort((a, b) => a.step - b.step || a.id - b.id);
    list.forEach((c, i) => out.set(c.id, `checkpoint ${i + 1} of ${list.length}`));
  }
  return out;
}

/** The metric a task's column shows: the main metric its rows report ("acc1"), else the task list's. */
export function mainMetricOf(rows: readonly EvaluationRow[], task: string, fallback: string | null = null): string | null {
  for (const r of rows) if (r.task === task && r.isMain) return r.metric;
  return fallback;
}
