/**
 * In-training evaluation as the reference paper's code does it (its train.py::evaluate; docs/design/algorithms.md#in-training-evaluation): MSCOCO
 * retrieval then ImageNet-1k zero-shot after each epoch, metrics named `<prefix>/<metric>`
 * (`mscoco/image_retrieval_recall@1`, `imagenet1k/acc1`, ...), an out.log line
 * `Eval Epoch: <e> name: value<TAB>...` with 4 decimals, and one JSON dict per evaluation (metrics only,
 * no epoch) appended to `<checkpoints>/results.jsonl`.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateTask } from './evaluate-task';
import { toPythonJson } from './results-file';
import type { TaskSpec } from './task-list';
import { isDataMissingError, type ClipEncoder, type EvalProgress, type EvalReader, type Metrics, type MetricValue, type TextTokenizer } from './types';

/** The reference paper's two tasks, in its order. */
export const SEED_TRAINING_EVAL_TASKS: readonly string[] = ['retrieval/mscoco_2014_5k_test_image_text_retrieval', 'imagenet1k'];

/** `<prefix>/<metric>` for every metric of a task except main_metric (the reference paper's code does not log it). */
export function trainingMetricNames(task: Pick<TaskSpec, 'metricPrefix'>, metrics: Metrics): Record<string, MetricValue> {
  const out: Record<string, MetricValue> = {};
  for (const [name, value] of Object.entries(metrics)) if (name !== 'main_metric') out[`${task.metricPrefix}/${name}`] = value;
  return out;
}

/** Python's `f"{round(v, 4):.4f}"`; null metrics are left out (the reference paper's code never has any). */
export function formatEvalLogLine(epoch: number, metrics: Record<string, MetricValue>): string {
  const parts = Object.entries(metrics)
    .filter((e): e is [string, number] => typeof e[1] === 'number')
    .map(([k, v]) => `${k}: ${v.toFixed(4)}`);
  return `Eval Epoch: ${epoch} ${parts.join('\t')}`;
}

export function appendTrainingResults(checkpointsDir: string, metrics: Record<string, MetricValue>): string {
  mkdirSync(checkpointsDir, { recursive: true });
  const path = join(checkpointsDir, 'results.jsonl');
  const fd = openSync(path, 'a');
  try {
    writeSync(fd, `${toPythonJson(metrics)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return path;
}

export interface TrainingEvalOptions {
  tasks: readonly TaskSpec[];
  encoder: ClipEncoder;
  tokenizer: TextTokenizer;
  openDataset: (task: TaskSpec) => EvalReader | Promise<EvalReader>;
  epoch: number;
  /** Where results.jsonl goes (`<logs>/<name>/checkpoints`); nothing is written without it. */
  checkpointsDir?: string;
  onProgress?: (progress: EvalProgress) => void;
  textBatchSize?: number;
  signal?: AbortSignal;
}

export interface TrainingEvalResult {
  metrics: Record<string, MetricValue>;
  /** The out.log line; null when no task could be evaluated. */
  logLine: string | null;
  /** Tasks not evaluated (unsupported or data missing), with why. */
  skipped: { key: string; reason: string }[];
  resultsFile: string | null;
}

/**
 * Evaluates the tasks on the in-memory model. A task whose data is missing is skipped with its reason;
 * any other error propagates, as a broken evaluation inside training should be seen, not averaged away.
 */
export async function evaluateForTraining(options: TrainingEvalOptions): Promise<TrainingEvalResult> {
  const metrics: Record<string, MetricValue> = {};
  const skipped: { key: string; reason: string }[] = [];
  for (const [taskIndex, task] of options.tasks.entries()) {
    if (!task.supported) {
      skipped.push({ key: task.key, reason: task.reason ?? 'not supported' });
      continue;
    }
    let reader: EvalReader;
    try {
      reader = await options.openDataset(task);
    } catch (err) {
      if (!isDataMissingError(err)) throw err;
      skipped.push({ key: task.key, reason: (err as Error).message });
      continue;
    }
    const taskMetrics = await evaluateTask(task, reader, {
      encoder: options.encoder,
      tokenizer: options.tokenizer,
      textBatchSize: options.textBatchSize,
      signal: options.signal,
      onProgress: (phase, done, total) =>
        options.onProgress?.({ taskKey: task.key, taskName: task.name, taskIndex, taskCount: options.tasks.length, phase, done, total }),
    });
    Object.assign(metrics, trainingMetricNames(task, taskMetrics));
  }
  const any = Object.keys(metrics).length > 0;
  const resultsFile = any && options.checkpointsDir ? appendTrainingResults(options.checkpointsDir, metrics) : null;
  return { metrics, logLine: any ? formatEvalLogLine(options.epoch, metrics) : null, skipped, resultsFile };
}
