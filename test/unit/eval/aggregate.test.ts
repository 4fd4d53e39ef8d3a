import { describe, expect, it } from 'vitest';
import { aggregateScores } from '../../../src-worker/eval/aggregate';
import type { TaskResultLine } from '../../../src-worker/eval/results-file';
import { loadTaskList } from '../../../src-worker/eval/task-list';

const list = loadTaskList();
const line = (key: string, main: number | null): TaskResultLine => ({ key, dataset: key, metrics: { main_metric: main } });
const group = (agg: ReturnType<typeof aggregateScores>, id: string) => agg.groups.find((g) => g.id === id)!;

describe('aggregate scores', () => {
  it('averages the main metrics present and shows a group mean only when the group is complete', () => {
    const shifts = ['imagenet_sketch', 'imagenetv2', 'imagenet-a', 'imagenet-o', 'imagenet-r', 'objectnet'];
    const lines = [line('imagenet1k', 0.6), ...shifts.map((k, i) => line(k, 0.1 * (i + 1))), line('vtab/cifar100', 0.5), line('fairness/fairface', null)];
    const agg = aggregateScores(list, lines);
    expect(agg.averageOver).toBe(8);
    expect(agg.average).toBeCloseTo((0.6 + 2.1 + 0.5) / 8, 12);
    expect(group(agg, 'imagenet').value).toBeCloseTo(0.6, 12);
    expect(group(agg, 'dist_shift').value).toBeCloseTo(2.1 / 6, 12);
    expect(group(agg, 'vtab')).toMatchObject({ value: null, have: 1, of: 13 });
    expect(group(agg, 'vtab').missing).toContain('vtab/svhn');
    expect(agg.datacompAverage).toBeNull();
    expect(agg.datacompOf).toBe(38);
  });

  it("needs WinoGAViL for DataComp's Retrieval mean, and counts the last line of a task", () => {
    const lines = [line('retrieval/flickr_1k_test_image_text_retrieval', 0.5), line('retrieval/mscoco_2014_5k_test_image_text_retrieval', 0.3)];
    expect(group(aggregateScores(list, lines), 'retrieval')).toMatchObject({ value: null, have: 2, of: 3, missing: ['misc/winogavil'] });
    const withWino = aggregateScores(list, [...lines, line('misc/winogavil', 0.1), line('misc/winogavil', 0.4)]);
    expect(group(withWino, 'retrieval').value).toBeCloseTo(0.4, 12);
    expect(withWino.averageOver).toBe(3);
  });

  it("gives DataComp's Average once all 38 scalar tasks are present, ignoring keys outside the task list", () => {
    const scalar = list.tasks.filter((t) => t.groups.includes('datacomp') && t.mainMetric !== null);
    const lines = scalar.map((t, i) => line(t.key, i / 100));
    lines.push(line('not/a_task', 99), line('fairness/utkface', null));
    const agg = aggregateScores(list, lines);
    expect(agg.datacompAverage).toBeCloseTo(scalar.reduce((a, _t, i) => a + i / 100, 0) / 38, 12);
    expect(agg.averageOver).toBe(38);
    expect(agg.groups.every((g) => g.value !== null)).toBe(true);
  });

  it('has no average without results', () => {
    expect(aggregateScores(list, [])).toMatchObject({ average: null, averageOver: 0, datacompAverage: null });
  });
});
