/**
 * Text for the checkpoint table, as pure functions: rows in a stable order, evaluation progress
 * without absolute paths, and what a finished evaluation found.
 */
import type { CheckpointInfo, EvaluationRow } from '../../../src-shared/api/types';
import { formatNumber } from '../format';

/**
 * Oldest first, by step then id: a checkpoint written while the table is open is added at the bottom,
 * so the row under the pointer never moves (newest-first moved every row down on each new one).
 */
export function checkpointOrder(checkpoints: readonly CheckpointInfo[]): CheckpointInfo[] {
  return [...checkpoints].sort((a, b) => a.step - b.step || a.id - b.id);
}

/** "evaluating /home/u/.clipwb/runs/x/checkpoints/epoch_1.pt on cpu" → "evaluating epoch_1.pt on cpu". */
export function shortenPaths(message: string): string {
  return message.replace(/(?:[A-Za-z]:)?(?:[\\/][^\s\\/:'"]+){2,}/g, (p) => p.split(/[\\/]/).pop() ?? p);
}

/** The main metric of each task evaluated on a checkpoint: "fashion_mnist acc1 0.7092". */
export function checkpointResults(evaluations: readonly EvaluationRow[], checkpoint: Pick<CheckpointInfo, 'id' | 'step'>): string {
  const main = evaluations.filter((e) => e.isMain && e.checkpointId === checkpoint.id);
  const byTask = new Map<string, EvaluationRow>();
  for (const e of main) byTask.set(e.task, e);
  return [...byTask.values()].sort((a, b) => a.task.localeCompare(b.task)).map((e) => `${e.task} ${e.metric} ${formatNumber(e.value, 4)}`).join(', ');
}
