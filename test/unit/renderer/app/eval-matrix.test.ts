import { describe, expect, it } from 'vitest';
import type { EvaluationRow } from '../../../../src-shared/api/types';
import { evalMatrix, mergeEvalRows } from '../../../../src-renderer/stores/eval-matrix';

const row = (o: Partial<EvaluationRow>): EvaluationRow => ({ runId: 'r', runName: 'run', checkpointId: 1, epoch: 1, step: 100, task: 'cifar10', metric: 'acc1', value: 0.5, isMain: true, ...o });

describe('evalMatrix', () => {
  const rows = [
    row({ checkpointId: 2, epoch: 2, step: 200, value: 0.7 }),
    row({ checkpointId: 2, epoch: 2, step: 200, metric: 'acc5', value: 0.95, isMain: false }),
    row({ checkpointId: 1, value: 0.6 }),
    row({ checkpointId: 1, task: 'flickr30k', metric: 'mean_recall@1', value: 0.2 }),
    row({ checkpointId: null, epoch: 0, step: 0, value: 0.1 }),
  ];
  const m = evalMatrix(rows);

  it('has one row per evaluated checkpoint, by step, and one column per task', () => {
    expect(m.tasks).toEqual(['cifar10', 'flickr30k']);
    expect(m.rows.map((r) => r.step)).toEqual([0, 100, 200]);
  });
  it('puts the main metric apart from the others', () => {
    const last = m.rows[2]!;
    expect(last.cells.cifar10?.main).toEqual({ metric: 'acc1', value: 0.7 });
    expect(last.cells.cifar10?.others).toEqual([{ metric: 'acc5', value: 0.95 }]);
    expect(last.cells.flickr30k).toBeUndefined();
  });
  it('marks the best checkpoint per task', () => {
    expect(m.bestRowByTask.cifar10).toBe(m.rows[2]!.key);
    expect(m.bestRowByTask.flickr30k).toBe(m.rows[1]!.key);
  });
  it('fills epoch and step from the checkpoint list when the row lacks them', () => {
    const mm = evalMatrix([row({ checkpointId: 9, epoch: null, step: null })], [{ id: 9, runId: 'r', path: '/x', epoch: 3, step: 300, sizeBytes: 1, createdAt: 0 }]);
    expect(mm.rows[0]).toMatchObject({ epoch: 3, step: 300 });
  });
  it('keeps runs apart when several are shown', () => {
    const mm = evalMatrix([row({ runId: 'a', runName: 'A' }), row({ runId: 'b', runName: 'B' })]);
    expect(mm.rows.map((r) => r.runName)).toEqual(['A', 'B']);
  });
});

describe('mergeEvalRows', () => {
  it('adds new results and replaces re-evaluated ones', () => {
    const merged = mergeEvalRows([row({ value: 0.5 }), row({ task: 'x' })], [row({ value: 0.55 }), row({ checkpointId: 2 })]);
    expect(merged).toHaveLength(3);
    expect(merged.find((r) => r.checkpointId === 1 && r.task === 'cifar10')?.value).toBe(0.55);
  });
});
