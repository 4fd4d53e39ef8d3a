/** The evaluation task list (`tasks.list`), fetched once and shared by the task pickers. */
import type { ApiOutputs } from '../../src-shared/api/contract';
import { client } from './client';

let cached: Promise<ApiOutputs['tasks.list']> | null = null;

export function loadTasks(): Promise<ApiOutputs['tasks.list']> {
  if (!cached) {
    cached = client().call('tasks.list', {});
    cached.catch(() => { cached = null; });
  }
  return cached;
}

/** The tasks a run evaluates after each epoch (its --eval-tasks), which "Evaluate" reuses by default. */
export function runEvalTasks(config: Record<string, unknown>): string[] {
  const v = config.evalTasks;
  if (Array.isArray(v)) return v.filter((t): t is string => typeof t === 'string' && t.length > 0);
  if (typeof v === 'string') return v.split(',').map((t) => t.trim()).filter((t) => t.length > 0);
  return [];
}
