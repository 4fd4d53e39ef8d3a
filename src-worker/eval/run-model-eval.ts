import path from 'node:path';
import { epochResultsFile } from './results-file';
/**
 * Evaluates a model on tasks and writes DataComp-style results: the one code path behind in-training
 * evaluation, `clipwb eval` and the app's "Evaluate" button.
 */
import type { ClipConfig, TensorMap } from '../model';
import { evaluateTasks, type TaskOutcome } from './evaluate-tasks';
import { loadTaskList, resolveTasks, taskDataDir, type TaskSpec } from './task-list';
import { modelEncoder, openEvalReader, textTokenizer } from './model-encoder';
import { trainingMetricNames, formatEvalLogLine } from './training-eval';
import type { EvalProgress, MetricValue } from './types';

export interface ModelEvalOptions {
  params: TensorMap;
  cfg: ClipConfig;
  tokenizer: { encode(texts: readonly string[], contextLength: number): Int32Array };
  /** Task keys, groups or 'all' (resolved against resources/eval/tasks.json). */
  tasks: readonly string[];
  /** Folder of the DataComp eval sets (wds_<task>_test/ ...). */
  dataRoot: string | null;
  /** Eval folders of built-in tasks, by task key (e.g. fashion_mnist → the built-in test set). */
  builtinDirs: Record<string, string>;
  resultsFile: string;
  epoch: number;
  batchSize: number;
  onProgress?: (p: EvalProgress) => void;
}

export interface ModelEvalResult {
  outcomes: TaskOutcome[];
  /** Seed-style names: fashion_mnist/acc1, mscoco/image_retrieval_recall@1, ... */
  metrics: Record<string, MetricValue>;
  results: { key: string; dataset: string; metrics: Record<string, number | null>; mainMetric: string | null }[];
  average: number | null;
  logLine: string | null;
  resultsFile: string;
}

export function resolveEvalTasks(keys: readonly string[]): TaskSpec[] {
  return resolveTasks(loadTaskList(), keys);
}

export async function evaluateModel(o: ModelEvalOptions): Promise<ModelEvalResult> {
  const tasks = resolveEvalTasks(o.tasks);
  const byKey = new Map(tasks.map((t) => [t.key, t]));
  const summary = await evaluateTasks({
    tasks,
    encoder: modelEncoder(o.params, o.cfg),
    tokenizer: textTokenizer(o.tokenizer),
    resultsFile: o.resultsFile,
    epoch: o.epoch,
    onProgress: o.onProgress,
    openDataset: (task) => {
      const dir = task.source.kind === 'builtin' ? (o.builtinDirs[task.key] ?? null) : o.dataRoot ? taskDataDir(o.dataRoot, task) : null;
      return openEvalReader(dir, { batchSize: o.batchSize, imageSize: o.cfg.vision.imageSize, what: `${task.name} (${task.key})`, ...evalSetKind(task) });
    },
  });
  const metrics: Record<string, MetricValue> = {};
  const results: ModelEvalResult['results'] = [];
  for (const out of summary.outcomes) {
    if (!out.metrics) continue;
    const task = byKey.get(out.key);
    if (task) Object.assign(metrics, trainingMetricNames(task, out.metrics));
    results.push({ key: out.key, dataset: out.dataset, metrics: { ...out.metrics }, mainMetric: out.mainMetricName });
  }
  return {
    outcomes: summary.outcomes,
    metrics,
    results,
    average: summary.aggregates.average,
    logLine: Object.keys(metrics).length > 0 ? formatEvalLogLine(o.epoch, metrics) : null,
    resultsFile: o.resultsFile,
  };
}

export { epochResultsFile as epochResultsPath } from './results-file';

/** The folder kind the task list implies, so a retrieval set needs no marker file. */
function evalSetKind(task: TaskSpec): { kind?: 'classification' | 'retrieval' } {
  if (task.type === 'retrieval') return { kind: 'retrieval' };
  if (task.type === 'zeroshot_classification') return { kind: 'classification' };
  return {};
}

/**
 * One results file per checkpoint: `epoch_N_eval_results.jsonl` (DataComp's name) for an epoch
 * checkpoint, `step_N_eval_results.jsonl` for the others, so results of a step checkpoint inside epoch N
 * are never taken for epoch N's (the files are resumable: tasks already there are not evaluated again).
 */
export function checkpointResultsFile(runDir: string, tag: string | null, epoch: number): string {
  if (!tag || /^epoch_\d+$/.test(tag)) return epochResultsFile(runDir, epoch);
  return path.join(runDir, 'eval_results', `${tag.replace(/[^\w.-]/g, '_')}_eval_results.jsonl`);
}
