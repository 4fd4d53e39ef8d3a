import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-worker/backend/select';
import { evaluateTasks } from '../../../src-worker/eval/evaluate-tasks';
import { epochResultsFile, readResultsFile } from '../../../src-worker/eval/results-file';
import { formatResultsTable } from '../../../src-worker/eval/results-table';
import { loadTaskList, resolveTasks, type TaskSpec } from '../../../src-worker/eval/task-list';
import { EvalDataMissingError, type EvalProgress, type EvalReader } from '../../../src-worker/eval/types';
import { axis, fakeModel, imageBatches, readerOf } from './fakes';

const list = loadTaskList();
const MSCOCO = 'retrieval/mscoco_2014_5k_test_image_text_retrieval';

// Images 0-2 lie on the axes; texts x/a -> axis 0, y/b -> axis 1, c -> axis 2, anything else -> axis 2.
const textVectors: Record<string, number[]> = { x: axis(3, 0), y: axis(3, 1), a: axis(3, 0), b: axis(3, 1), c: axis(3, 2) };
const model = () => fakeModel(3, (id) => axis(3, id), (t) => textVectors[t] ?? axis(3, 2));

function opener(calls: string[]) {
  return (task: TaskSpec): EvalReader => {
    calls.push(task.key);
    switch (task.key) {
      case 'cifar10': // images 0,1,2 labelled x,y,y: image 2 (axis 2) ties at 0 and goes to x -> acc1 2/3
        return readerOf(imageBatches([0, 1, 2], 2, (s, e) => ({ labels: Int32Array.from([0, 1, 1].slice(s, e)) })), { classnames: ['x', 'y'], templates: ['{c}'] });
      case MSCOCO:
        return readerOf(imageBatches([0, 1, 2], 2, (s, e) => ({ captions: [['a', 'b'], ['c'], ['c', 'a']].slice(s, e) })));
      case 'fashion_mnist': // no class files: the task list's names and templates are used
        return readerOf(imageBatches([0, 1], 2, () => ({ labels: Int32Array.from([0, 9]) })));
      case 'vtab/svhn':
        throw new EvalDataMissingError('SVHN: /data/wds_vtab-svhn_test not found; download it with the data manager');
      default:
        throw new Error(`reader for ${task.key} crashed`);
    }
  };
}

beforeAll(async () => {
  await initBackend('wasm');
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'eval-driver-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('evaluateTasks', () => {
  it('evaluates, writes one DataComp line per task, and reports skipped and failed tasks', async () => {
    const m = model();
    const calls: string[] = [];
    const progress: EvalProgress[] = [];
    const resultsFile = epochResultsFile(dir, 2);
    const tasks = resolveTasks(list, 'cifar10,mscoco,winogavil,svhn,mnist,fashion_mnist');
    const summary = await evaluateTasks({
      tasks,
      encoder: m.encoder,
      tokenizer: m.tokenizer,
      openDataset: opener(calls),
      resultsFile,
      epoch: 2,
      onProgress: (p) => progress.push(p),
    });
    const status = Object.fromEntries(summary.outcomes.map((o) => [o.key, o.status]));
    expect(status).toEqual({ cifar10: 'evaluated', mnist: 'failed', 'vtab/svhn': 'skipped', [MSCOCO]: 'evaluated', 'misc/winogavil': 'skipped', fashion_mnist: 'evaluated' });
    expect(calls).not.toContain('misc/winogavil');
    expect(summary.outcomes.find((o) => o.key === 'vtab/svhn')!.reason).toMatch(/not found; download it/);
    expect(summary.outcomes.find((o) => o.key === 'mnist')!.reason).toBe('reader for mnist crashed');
    expect(summary.outcomes.find((o) => o.key === 'misc/winogavil')!.reason).toMatch(/WinoGAViL/);

    const lines = readFileSync(resultsFile, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { key: string; dataset: string; metrics: Record<string, number | null> });
    expect(lines.map((l) => l.key)).toEqual(['cifar10', MSCOCO, 'fashion_mnist']);
    expect(lines[0]).toEqual({ key: 'cifar10', dataset: 'CIFAR-10', metrics: { acc1: 2 / 3, acc5: null, mean_per_class_recall: (1 + 1 / 2) / 2, main_metric: 2 / 3 } });
    expect(lines[1]!.dataset).toBe('MSCOCO');
    expect(lines[1]!.metrics.main_metric).toBe(lines[1]!.metrics['mean_recall@1']);
    expect(lines[1]!.metrics['mean_recall@1']).toBeCloseTo((2 / 5 + 1 / 3) / 2, 12);
    expect(m.encodedTexts).toContain('a photo of a t-shirt/top.');

    expect(summary.aggregates.averageOver).toBe(3);
    expect(summary.epoch).toBe(2);
    const coco = progress.filter((p) => p.taskKey === MSCOCO);
    expect(coco.every((p) => p.taskIndex === 3 && p.taskCount === 6)).toBe(true); // task-list order: cifar10, mnist, svhn, mscoco
    expect(coco.filter((p) => p.phase === 'images').map((p) => `${p.done}/${p.total}`)).toEqual(['0/3', '2/3', '3/3']);
  });

  it('resumes: tasks already in the file are skipped and every existing line is kept', async () => {
    const resultsFile = epochResultsFile(dir, 0);
    const previous = [
      '{"key": "cifar10", "dataset": "CIFAR-10", "metrics": {"acc1": 0.25, "acc5": null, "mean_per_class_recall": 0.3, "main_metric": 0.25}}',
      '{"key": "misc/other", "dataset": "Something else", "metrics": {"main_metric": 0.9}}',
    ];
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'eval_results'));
    writeFileSync(resultsFile, `${previous.join('\n')}\n`);
    const m = model();
    const calls: string[] = [];
    const tasks = resolveTasks(list, 'cifar10,mscoco');
    const run = () => evaluateTasks({ tasks, encoder: m.encoder, tokenizer: m.tokenizer, openDataset: opener(calls), resultsFile });

    const first = await run();
    expect(calls).toEqual([MSCOCO]);
    expect(first.outcomes.map((o) => o.status)).toEqual(['cached', 'evaluated']);
    expect(first.outcomes[0]).toMatchObject({ mainMetric: 0.25, metrics: { acc1: 0.25, acc5: null, mean_per_class_recall: 0.3 } });
    const text = readFileSync(resultsFile, 'utf8');
    expect(text.startsWith(`${previous.join('\n')}\n`)).toBe(true);
    expect(readResultsFile(resultsFile).lines.map((l) => l.key)).toEqual(['cifar10', 'misc/other', MSCOCO]);
    // The average counts tasks of the task list only, as DataComp does.
    expect(first.aggregates.averageOver).toBe(2);

    const encodedBefore = m.imagesEncoded();
    const second = await run();
    expect(second.outcomes.map((o) => o.status)).toEqual(['cached', 'cached']);
    expect(m.imagesEncoded()).toBe(encodedBefore);
    expect(readFileSync(resultsFile, 'utf8')).toBe(text);
  });

  it('prints a results table with the main metric of each task and the aggregates', async () => {
    const m = model();
    const summary = await evaluateTasks({
      tasks: resolveTasks(list, 'cifar10,mscoco,winogavil'),
      encoder: m.encoder,
      tokenizer: m.tokenizer,
      openDataset: opener([]),
      resultsFile: join(dir, 'r.jsonl'),
    });
    const table = formatResultsTable(summary);
    const rows = table.split('\n');
    expect(rows[0]).toMatch(/^Task\s+Metric\s+Value$/);
    expect(table).toMatch(/CIFAR-10\s+acc1\s+0\.6667/);
    expect(table).toMatch(/MSCOCO\s+mean_recall@1\s+0\.3667/);
    expect(table).toMatch(/WinoGAViL\s+jaccard_score_10-12\s+skipped: WinoGAViL has its own protocol/);
    expect(table).toMatch(/Average of 2 tasks\s+main_metric\s+0\.5167/);
    expect(table).toMatch(/Retrieval\s+mean main_metric\s+incomplete \(1\/3 tasks\)/);
    const all = formatResultsTable(summary, { allMetrics: true, decimals: 2 });
    expect(all).toMatch(/MSCOCO\s+text_retrieval_recall@10\s+1\.00/);
    expect(all).toMatch(/CIFAR-10\s+acc5\s+n\/a/);
  });

  it('stops when aborted instead of recording a failure', async () => {
    const m = model();
    const controller = new AbortController();
    controller.abort();
    await expect(
      evaluateTasks({ tasks: resolveTasks(list, 'cifar10'), encoder: m.encoder, tokenizer: m.tokenizer, openDataset: opener([]), resultsFile: join(dir, 'r.jsonl'), signal: controller.signal }),
    ).rejects.toThrow();
  });
});
