/**
 * Evaluation tables as CSV.
 * - wide: one row per evaluated checkpoint (or run epoch), one column per task holding its main metric;
 * - long: every metric of every task, one row each.
 */
import type { Evaluation } from '../store/evaluations';
import type { Store } from '../store/store';
import { csvChunks, type CsvOptions, type CsvValue } from '../../src-shared/csv';

export interface EvaluationsCsvOptions extends CsvOptions {
  /** All runs when omitted. */
  runIds?: string[];
}

export const EVALUATIONS_LONG_HEADER = [
  'run_id',
  'run_name',
  'checkpoint_id',
  'checkpoint_path',
  'epoch',
  'step',
  'task',
  'metric',
  'value',
  'is_main',
  'created_at',
] as const;

interface Context {
  runNames: Map<string, string>;
  checkpointPaths: Map<number, string>;
  evaluations: Evaluation[];
}

function context(store: Store, runIds: string[] | undefined): Context {
  if (runIds) for (const id of runIds) store.runs.require(id);
  const evaluations = store.evaluations.list(runIds ? { runIds } : {});
  const runNames = new Map<string, string>();
  const checkpointPaths = new Map<number, string>();
  for (const e of evaluations) {
    if (!runNames.has(e.runId)) runNames.set(e.runId, store.runs.get(e.runId)?.name ?? '');
    if (e.checkpointId !== null && !checkpointPaths.has(e.checkpointId)) {
      checkpointPaths.set(e.checkpointId, store.checkpoints.get(e.checkpointId)?.path ?? '');
    }
  }
  return { runNames, checkpointPaths, evaluations };
}

export function evaluationsLongCsv(store: Store, options: EvaluationsCsvOptions = {}): Iterable<string> {
  const ctx = context(store, options.runIds);
  const rows = ctx.evaluations.map((e): CsvValue[] => [
    e.runId,
    ctx.runNames.get(e.runId),
    e.checkpointId,
    e.checkpointId === null ? null : ctx.checkpointPaths.get(e.checkpointId),
    e.epoch,
    e.step,
    e.task,
    e.metric,
    e.value,
    e.isMain,
    new Date(e.createdAt).toISOString(),
  ]);
  return csvChunks(EVALUATIONS_LONG_HEADER, rows, options);
}

export function evaluationsWideCsv(store: Store, options: EvaluationsCsvOptions = {}): Iterable<string> {
  const ctx = context(store, options.runIds);
  const main = ctx.evaluations.filter((e) => e.isMain);
  const tasks = [...new Set(main.map((e) => e.task))].sort();
  const targets = new Map<string, { first: Evaluation; byTask: Map<string, number | null> }>();
  for (const e of main) {
    const id = e.checkpointId !== null ? `c${e.checkpointId}` : `r${e.runId}\u0000${e.epoch}`;
    let entry = targets.get(id);
    if (!entry) {
      entry = { first: e, byTask: new Map() };
      targets.set(id, entry);
    }
    entry.byTask.set(e.task, e.value);
  }
  const header = ['run_id', 'run_name', 'checkpoint_id', 'checkpoint_path', 'epoch', 'step', ...tasks];
  const rows = [...targets.values()].map(({ first, byTask }): CsvValue[] => [
    first.runId,
    ctx.runNames.get(first.runId),
    first.checkpointId,
    first.checkpointId === null ? null : ctx.checkpointPaths.get(first.checkpointId),
    first.epoch,
    first.step,
    ...tasks.map((t) => byTask.get(t)),
  ]);
  return csvChunks(header, rows, options);
}
