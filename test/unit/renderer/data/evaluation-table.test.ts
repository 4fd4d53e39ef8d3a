import { describe, expect, it } from 'vitest';
import type { EvaluationRow } from '../../../../src-shared/api/types';
import { evalMatrix } from '../../../../src-renderer/stores/eval-matrix';
import { checkpointLabels, evaluationTable, mainMetricOf, runsOf, sortRows } from '../../../../src-renderer/components/data/evaluation-table';

function rows(runId: string, runName: string, checkpointId: number, epoch: number, values: Record<string, number | null>): EvaluationRow[] {
  return Object.entries(values).flatMap(([task, v]) => [
    { runId, runName, checkpointId, epoch, step: epoch * 100, task, metric: 'acc1', value: v, isMain: true },
    { runId, runName, checkpointId, epoch, step: epoch * 100, task, metric: 'acc5', value: v === null ? null : Math.min(1, v + 0.2), isMain: false },
  ]);
}

const all = [
  ...rows('a', 'alpha', 1, 1, { imagenet1k: 0.30, mscoco: 0.20 }),
  ...rows('a', 'alpha', 2, 2, { imagenet1k: 0.40, mscoco: 0.25 }),
  ...rows('b', 'beta', 3, 1, { imagenet1k: 0.50 }),
  ...rows('c', 'gamma', 4, 1, { imagenet1k: null, mscoco: 0.10 }),
];
const matrix = evalMatrix(all);

describe('the checkpoint × task table', () => {
  it('averages the main metrics over the tasks shown, counting only present values', () => {
    const t = evaluationTable(matrix, { runIds: [], tasks: [] }, { key: 'run', dir: 'asc' });
    expect(t.tasks).toEqual(['imagenet1k', 'mscoco']);
    const byKey = Object.fromEntries(t.rows.map((r) => [`${r.runName}@${r.epoch}`, [Number(r.average?.toFixed(4)), r.counted]]));
    expect(byKey).toEqual({ 'alpha@1': [0.25, 2], 'alpha@2': [0.325, 2], 'beta@1': [0.5, 1], 'gamma@1': [0.1, 1] });
    const none = evaluationTable(matrix, { runIds: [], tasks: ['no-such-task'] }, { key: 'average', dir: 'desc' });
    expect(none.rows.every((r) => r.average === null && r.counted === 0)).toBe(true);
    expect(none.bestAverage).toBeNull();
  });

  it('marks the best value per column among the rows shown, and the best complete average', () => {
    const t = evaluationTable(matrix, { runIds: [], tasks: [] }, { key: 'run', dir: 'asc' });
    const name = (key: string | null | undefined) => t.rows.find((r) => r.key === key)?.runName;
    expect(name(t.best.imagenet1k)).toBe('beta');
    expect(t.rows.find((r) => r.key === t.best.mscoco)?.epoch).toBe(2);
    // beta's 0.5 covers one task of two: not comparable, so alpha's epoch 2 wins.
    expect(t.rows.find((r) => r.key === t.bestAverage)?.epoch).toBe(2);
    expect(name(t.bestAverage)).toBe('alpha');
  });

  it('filters by run and by task, recomputing averages and bests', () => {
    const t = evaluationTable(matrix, { runIds: ['a', 'c'], tasks: ['mscoco'] }, { key: 'average', dir: 'desc' });
    expect(t.tasks).toEqual(['mscoco']);
    expect(t.rows.map((r) => [r.runName, r.epoch, r.average])).toEqual([['alpha', 2, 0.25], ['alpha', 1, 0.2], ['gamma', 1, 0.1]]);
    expect(t.rows.find((r) => r.key === t.best.mscoco)?.epoch).toBe(2);
  });

  it('sorts by a task column either way with missing values last', () => {
    const t = evaluationTable(matrix, { runIds: [], tasks: [] }, { key: 'run', dir: 'asc' });
    const order = (dir: 'asc' | 'desc') => sortRows(t.rows, 'task:imagenet1k', dir).map((r) => `${r.runName}@${r.epoch}`);
    expect(order('desc')).toEqual(['beta@1', 'alpha@2', 'alpha@1', 'gamma@1']);
    expect(order('asc')).toEqual(['alpha@1', 'alpha@2', 'beta@1', 'gamma@1']);
    expect(sortRows(t.rows, 'run', 'desc').map((r) => r.runName)).toEqual(['gamma', 'beta', 'alpha', 'alpha']);
    expect(sortRows(t.rows, 'epoch', 'asc').map((r) => r.epoch)).toEqual([1, 1, 1, 2]);
  });

  it('lists the runs that have evaluations for the filter', () => {
    expect(runsOf(matrix)).toEqual([{ id: 'a', name: 'alpha' }, { id: 'b', name: 'beta' }, { id: 'c', name: 'gamma' }]);
  });
});

describe('checkpoint and metric names on the Evaluations page', () => {
  const ck = (id: number, runId: string, step: number) => ({ id, runId, path: `/x/${id}`, epoch: 1, step, sizeBytes: 1, createdAt: 0 });
  it('names a checkpoint by its place in its run, not by its database id', () => {
    const labels = checkpointLabels([ck(4, 'a', 16), ck(9, 'a', 32), ck(5, 'b', 16)]);
    expect(labels.get(4)).toBe('checkpoint 1 of 2');
    expect(labels.get(9)).toBe('checkpoint 2 of 2');
    expect(labels.get(5)).toBe('checkpoint 1 of 1');
  });
  it('names the metric a task column shows', () => {
    const rows = [
      { runId: 'a', runName: 'a', checkpointId: 4, epoch: 1, step: 16, task: 'fashion_mnist', metric: 'acc5', value: 0.9, isMain: false },
      { runId: 'a', runName: 'a', checkpointId: 4, epoch: 1, step: 16, task: 'fashion_mnist', metric: 'acc1', value: 0.7, isMain: true },
    ];
    expect(mainMetricOf(rows, 'fashion_mnist')).toBe('acc1');
    expect(mainMetricOf(rows, 'imagenet1k', 'acc1')).toBe('acc1');
    expect(mainMetricOf(rows, 'imagenet1k')).toBeNull();
  });
});
