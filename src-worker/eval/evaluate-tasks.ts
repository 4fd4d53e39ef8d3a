/**
 * The evaluation driver (DataComp's evaluate.py): evaluates each requested task on one checkpoint,
 * appends a line per task to the results file as it finishes, skips tasks already in that file, reports
 * unsupported tasks and tasks whose data is missing as skipped, and summarises with the average and
 * DataComp's group means.
 */
import { aggregateScores, type AggregateScores } from './aggregate';
import { evaluateTask } from './evaluate-task';
import { appendResultLine, latestByKey, readResultsFile, repairResultsFile, type TaskResultLine } from './results-file';
import { loadTaskList, type TaskList, type TaskSpec } from './task-list';
import { isDataMissingError, type ClipEncoder, type EvalProgress, type EvalReader, type Metrics, type TextTokenizer } from './types';

export type TaskStatus = 'evaluated' | 'cached' | 'skipped' | 'failed';

export interface TaskOutcome {
  key: string;
  dataset: string;
  status: TaskStatus;
  /** Name of the main metric (null where the task has none). */
  mainMetricName: string | null;
  mainMetric: number | null;
  /** Present for evaluated and cached tasks. */
  metrics?: Metrics;
  /** Why a task was skipped or failed. */
  reason?: string;
}

export interface EvaluateTasksOptions {
  tasks: readonly TaskSpec[];
  encoder: ClipEncoder;
  tokenizer: TextTokenizer;
  /** Opens a task's data; throws EvalDataMissingError (or an ENOENT error) when it is not on disk. */
  openDataset: (task: TaskSpec) => EvalReader | Promise<EvalReader>;
  /** `<run>/eval_results/epoch_N_eval_results.jsonl` (see epochResultsFile). */
  resultsFile: string;
  /** The checkpoint's epoch, carried into the summary. */
  epoch?: number;
  onProgress?: (progress: EvalProgress) => void;
  onTaskDone?: (outcome: TaskOutcome) => void;
  /** For the aggregates; defaults to resources/eval/tasks.json. */
  taskList?: TaskList;
  textBatchSize?: number;
  signal?: AbortSignal;
}

export interface EvaluationSummary {
  resultsFile: string;
  epoch?: number;
  outcomes: TaskOutcome[];
  aggregates: AggregateScores;
  /** Bytes of a half-written last line dropped from the results file before appending. */
  droppedPartialBytes: number;
}

function outcomeFromLine(task: TaskSpec, line: TaskResultLine, status: TaskStatus): TaskOutcome {
  const { main_metric: main, ...rest } = line.metrics;
  const metrics: Metrics = {};
  for (const [k, v] of Object.entries(rest)) if (typeof v === 'number' || v === null) metrics[k] = v;
  return { key: task.key, dataset: task.name, status, mainMetricName: task.mainMetric, mainMetric: main, metrics };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export async function evaluateTasks(options: EvaluateTasksOptions): Promise<EvaluationSummary> {
  const { tasks, resultsFile, signal } = options;
  const taskList = options.taskList ?? loadTaskList();
  const contents = readResultsFile(resultsFile);
  const droppedPartialBytes = repairResultsFile(resultsFile, contents);
  let needNewline = contents.missingFinalNewline;
  const lines = [...contents.lines];
  const done = latestByKey(lines);
  const outcomes: TaskOutcome[] = [];

  const finish = (outcome: TaskOutcome): void => {
    outcomes.push(outcome);
    options.onTaskDone?.(outcome);
  };

  for (const [taskIndex, task] of tasks.entries()) {
    signal?.throwIfAborted();
    const base = { key: task.key, dataset: task.name, mainMetricName: task.mainMetric, mainMetric: null };
    const cached = done.get(task.key);
    if (cached) {
      finish(outcomeFromLine(task, cached, 'cached'));
      continue;
    }
    if (!task.supported) {
      finish({ ...base, status: 'skipped', reason: task.reason ?? 'not supported' });
      continue;
    }
    let reader: EvalReader;
    try {
      reader = await options.openDataset(task);
    } catch (err) {
      if (signal?.aborted) throw err;
      finish({ ...base, status: isDataMissingError(err) ? 'skipped' : 'failed', reason: message(err) });
      continue;
    }
    try {
      const metrics = await evaluateTask(task, reader, {
        encoder: options.encoder,
        tokenizer: options.tokenizer,
        textBatchSize: options.textBatchSize,
        signal,
        onProgress: (phase, doneCount, total) =>
          options.onProgress?.({ taskKey: task.key, taskName: task.name, taskIndex, taskCount: tasks.length, phase, done: doneCount, total }),
      });
      const line: TaskResultLine = { key: task.key, dataset: task.name, metrics };
      appendResultLine(resultsFile, line, { leadingNewline: needNewline });
      needNewline = false;
      lines.push(line);
      finish(outcomeFromLine(task, line, 'evaluated'));
    } catch (err) {
      if (signal?.aborted) throw err;
      finish({ ...base, status: isDataMissingError(err) ? 'skipped' : 'failed', reason: message(err) });
    }
  }

  return { resultsFile, epoch: options.epoch, outcomes, aggregates: aggregateScores(taskList, lines), droppedPartialBytes };
}
