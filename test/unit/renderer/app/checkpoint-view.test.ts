import { describe, expect, it } from 'vitest';
import type { CheckpointInfo, EvaluationRow } from '../../../../src-shared/api/types';
import { checkpointOrder, checkpointResults, shortenPaths } from '../../../../src-renderer/components/run/checkpoint-view';

const ck = (id: number, step: number): CheckpointInfo => ({ id, runId: 'r', path: `/d/runs/r/checkpoints/epoch_${id}.pt`, epoch: id, step, sizeBytes: 1, createdAt: id });
const ev = (checkpointId: number, task: string, metric: string, value: number, isMain = true): EvaluationRow =>
  ({ runId: 'r', runName: 'r', checkpointId, epoch: 1, step: 16, task, metric, value, isMain });

describe('checkpoint table', () => {
  it('keeps rows oldest first, so a new checkpoint lands at the bottom and no row moves', () => {
    const before = checkpointOrder([ck(2, 32), ck(1, 16)]).map((c) => c.id);
    const after = checkpointOrder([ck(2, 32), ck(3, 48), ck(1, 16)]).map((c) => c.id);
    expect(before).toEqual([1, 2]);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after).toEqual([1, 2, 3]);
  });
  it('shows file names instead of absolute paths in evaluation progress', () => {
    expect(shortenPaths('evaluating /home/u/.local/share/clipwb/runs/r-1/checkpoints/epoch_1.pt on cpu')).toBe('evaluating epoch_1.pt on cpu');
    expect(shortenPaths('fashion_mnist: encoding images')).toBe('fashion_mnist: encoding images');
  });
  it('names the main metric of each task evaluated on the checkpoint', () => {
    const rows = [ev(4, 'fashion_mnist', 'acc1', 0.70921), ev(4, 'fashion_mnist', 'acc5', 0.99, false), ev(5, 'fashion_mnist', 'acc1', 0.8)];
    expect(checkpointResults(rows, { id: 4, step: 16 })).toBe('fashion_mnist acc1 0.7092');
    expect(checkpointResults(rows, { id: 9, step: 99 })).toBe('');
  });
});
