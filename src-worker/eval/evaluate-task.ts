/** Evaluates one task of the task list on an opened reader, by task type, and adds its main_metric. */
import { evaluateRetrieval } from './retrieval';
import type { TaskSpec } from './task-list';
import type { ClipEncoder, EvalPhase, EvalReader, Metrics, MetricValue, TextTokenizer } from './types';
import { evaluateZeroShotClassification } from './zeroshot-classification';
import { WorkbenchError } from '../../src-shared/errors';

export interface TaskRunOptions {
  encoder: ClipEncoder;
  tokenizer: TextTokenizer;
  textBatchSize?: number;
  onProgress?: (phase: EvalPhase, done: number, total: number) => void;
  signal?: AbortSignal;
}

export type TaskMetrics = Metrics & { main_metric: MetricValue };

export async function evaluateTask(task: TaskSpec, reader: EvalReader, options: TaskRunOptions): Promise<TaskMetrics> {
  if (!task.supported) throw new WorkbenchError(`${task.name} (${task.key}) cannot be evaluated yet: ${task.reason ?? 'unsupported'}`, { kind: 'unavailable', field: 'tasks' });
  const common = { ...options, reader, what: task.name };
  let metrics: Metrics;
  if (task.type === 'retrieval') {
    metrics = await evaluateRetrieval(common);
  } else if (task.type === 'zeroshot_classification' || task.type === 'wilds') {
    const classnames = reader.classnames ?? task.classnames;
    const templates = reader.templates ?? task.templates;
    if (!classnames || !templates) {
      throw new Error(`${task.name}: no ${classnames ? 'templates' : 'class names'}; the reader found no ${classnames ? 'zeroshot_classification_templates.txt' : 'classnames.txt'} and the task list has none`);
    }
    metrics = await evaluateZeroShotClassification({ ...common, classnames, templates });
  } else {
    throw new Error(`${task.name}: task type "${task.type}" has no evaluator`);
  }
  const main = task.mainMetric === null ? null : (metrics[task.mainMetric] ?? null);
  return { ...metrics, main_metric: main };
}
