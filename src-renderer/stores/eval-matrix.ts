/**
 * Evaluation results as a checkpoint × task table: one row per evaluated checkpoint (or epoch-end
 * evaluation), one column per task, each cell the task's main metric with the other metrics beside it.
 * Pure, so the run page, the compare page and the Evaluations page shape results the same way.
 */
import type { CheckpointInfo, EvaluationRow } from '../../src-shared/api/types';

export interface EvalMetric { metric: string; value: number | null }

export interface EvalCell {
  main: EvalMetric | null;
  others: EvalMetric[];
}

export interface EvalMatrixRow {
  key: string;
  runId: string;
  runName: string;
  checkpointId: number | null;
  epoch: number | null;
  step: number | null;
  cells: Record<string, EvalCell>;
}

export interface EvalMatrix {
  tasks: string[];
  rows: EvalMatrixRow[];
  /** Per task, the key of the row with the highest main metric (main metrics are higher-is-better). */
  bestRowByTask: Record<string, string>;
}

const rowKey = (r: { runId: string; checkpointId: number | null; epoch: number | null; step: number | null }): string =>
  r.checkpointId !== null ? `${r.runId}#c${r.checkpointId}` : `${r.runId}#e${r.epoch ?? '?'}s${r.step ?? '?'}`;

const identity = (r: EvaluationRow): string => `${rowKey(r)}|${r.task}|${r.metric}`;

/** Merges newly arrived rows (an `evaluation` event) into the known ones; a re-evaluation replaces the old value. */
export function mergeEvalRows(existing: readonly EvaluationRow[], incoming: readonly EvaluationRow[]): EvaluationRow[] {
  const byId = new Map<string, EvaluationRow>();
  for (const r of existing) byId.set(identity(r), r);
  for (const r of incoming) byId.set(identity(r), r);
  return [...byId.values()];
}

export function evalMatrix(rows: readonly EvaluationRow[], checkpoints: readonly CheckpointInfo[] = []): EvalMatrix {
  const ckpt = new Map(checkpoints.map((c) => [c.id, c]));
  const tasks = new Set<string>();
  const out = new Map<string, EvalMatrixRow>();
  for (const r of rows) {
    tasks.add(r.task);
    const c = r.checkpointId !== null ? ckpt.get(r.checkpointId) : undefined;
    const key = rowKey(r);
    let row = out.get(key);
    if (!row) {
      row = { key, runId: r.runId, runName: r.runName, checkpointId: r.checkpointId, epoch: r.epoch ?? c?.epoch ?? null, step: r.step ?? c?.step ?? null, cells: {} };
      out.set(key, row);
    }
    const cell = (row.cells[r.task] ??= { main: null, others: [] });
    const m = { metric: r.metric, value: r.value };
    if (r.isMain) cell.main = m;
    else cell.others.push(m);
  }
  for (const row of out.values()) for (const cell of Object.values(row.cells)) cell.others.sort((a, b) => a.metric.localeCompare(b.metric));
  const sortedRows = [...out.values()].sort((a, b) =>
    a.runName.localeCompare(b.runName) || (a.step ?? -1) - (b.step ?? -1) || (a.epoch ?? -1) - (b.epoch ?? -1) || a.key.localeCompare(b.key));
  const taskList = [...tasks].sort();
  const bestRowByTask: Record<string, string> = {};
  for (const t of taskList) {
    let best: { key: string; v: number } | null = null;
    for (const row of sortedRows) {
      const v = row.cells[t]?.main?.value;
      if (v !== undefined && v !== null && Number.isFinite(v) && (best === null || v > best.v)) best = { key: row.key, v };
    }
    if (best) bestRowByTask[t] = best.key;
  }
  return { tasks: taskList, rows: sortedRows, bestRowByTask };
}
