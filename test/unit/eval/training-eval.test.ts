import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-worker/backend/select';
import { loadTaskList, resolveTasks } from '../../../src-worker/eval/task-list';
import { evaluateForTraining, formatEvalLogLine, SEED_TRAINING_EVAL_TASKS, trainingMetricNames } from '../../../src-worker/eval/training-eval';
import { EvalDataMissingError } from '../../../src-worker/eval/types';
import { axis, fakeModel, imageBatches, readerOf } from './fakes';

const list = loadTaskList();

beforeAll(async () => {
  await initBackend('wasm');
});
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'eval-train-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('in-training evaluation (seed names and files)', () => {
  it("names metrics <prefix>/<metric> as the seed logs them", () => {
    const coco = list.tasks.find((t) => t.key === SEED_TRAINING_EVAL_TASKS[0])!;
    const inet = list.tasks.find((t) => t.key === SEED_TRAINING_EVAL_TASKS[1])!;
    expect(trainingMetricNames(coco, { 'image_retrieval_recall@1': 0.1, 'mean_recall@1': 0.2, main_metric: 0.2 })).toEqual({
      'mscoco/image_retrieval_recall@1': 0.1,
      'mscoco/mean_recall@1': 0.2,
    });
    expect(Object.keys(trainingMetricNames(inet, { acc1: 1, acc5: 1, mean_per_class_recall: 1 }))).toEqual([
      'imagenet1k/acc1',
      'imagenet1k/acc5',
      'imagenet1k/mean_per_class_recall',
    ]);
  });

  it('formats the out.log line with tabs and 4 decimals', () => {
    expect(formatEvalLogLine(3, { 'mscoco/mean_recall@1': 0.123456, 'imagenet1k/acc1': 0.5, 'x/acc5': null })).toBe(
      'Eval Epoch: 3 mscoco/mean_recall@1: 0.1235\timagenet1k/acc1: 0.5000',
    );
  });

  it('evaluates MSCOCO and ImageNet, appends one metrics-only line per evaluation to results.jsonl, skips missing data', async () => {
    const m = fakeModel(3, (id) => axis(3, id), (t) => ({ a: axis(3, 0), b: axis(3, 1), x: axis(3, 0), y: axis(3, 1) })[t] ?? axis(3, 2));
    const tasks = resolveTasks(list, [...SEED_TRAINING_EVAL_TASKS, 'svhn']);
    const open = (task: { key: string }) => {
      if (task.key === 'imagenet1k') return readerOf(imageBatches([0, 1], 2, () => ({ labels: Int32Array.from([0, 1]) })), { classnames: ['x', 'y'], templates: ['{c}'] });
      if (task.key === 'vtab/svhn') throw new EvalDataMissingError('no SVHN here');
      return readerOf(imageBatches([0, 1, 2], 3, () => ({ captions: [['a', 'b'], ['c'], ['c', 'a']] })));
    };
    const checkpointsDir = join(dir, 'checkpoints');
    const first = await evaluateForTraining({ tasks, encoder: m.encoder, tokenizer: m.tokenizer, openDataset: open, epoch: 0, checkpointsDir });
    await evaluateForTraining({ tasks, encoder: m.encoder, tokenizer: m.tokenizer, openDataset: open, epoch: 1, checkpointsDir });
    expect(Object.keys(first.metrics)).toEqual([
      'imagenet1k/acc1',
      'imagenet1k/acc5',
      'imagenet1k/mean_per_class_recall',
      'mscoco/image_retrieval_recall@1',
      'mscoco/text_retrieval_recall@1',
      'mscoco/image_retrieval_recall@5',
      'mscoco/text_retrieval_recall@5',
      'mscoco/image_retrieval_recall@10',
      'mscoco/text_retrieval_recall@10',
      'mscoco/mean_recall@1',
    ]);
    expect(first.metrics['imagenet1k/acc1']).toBe(1);
    expect(first.skipped).toEqual([{ key: 'vtab/svhn', reason: 'no SVHN here' }]);
    expect(first.logLine).toMatch(/^Eval Epoch: 0 imagenet1k\/acc1: 1\.0000\timagenet1k\/mean_per_class_recall: 1\.0000\tmscoco\//);
    const lines = readFileSync(join(checkpointsDir, 'results.jsonl'), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1]!)).toEqual(first.metrics);
    expect(lines[0]).toMatch(/^\{"imagenet1k\/acc1": 1, "imagenet1k\/acc5": null, /);
  });
});
