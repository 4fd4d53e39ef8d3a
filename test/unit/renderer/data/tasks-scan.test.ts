import { describe, expect, it } from 'vitest';
import { loadTaskList } from '../../../../src-worker/eval/task-list';
import type { TaskInfo } from '../../../../src-shared/api/contract';
import { groupTasks, isBuiltinTask, taskUnavailable } from '../../../../src-renderer/components/data/tasks';
import { scanSummary } from '../../../../src-renderer/components/data/scan-summary';

// The task list as tasks.list serves it, from the real resources/eval/tasks.json.
const tasks: TaskInfo[] = loadTaskList().tasks.map((t) => ({ key: t.key, name: t.name, type: t.type, mainMetric: t.mainMetric, groups: [...t.groups], supported: t.supported, reason: t.reason ?? null }));

describe('evaluation sets offered for download', () => {
  it('put every task in exactly one group, ImageNet first', () => {
    const groups = groupTasks(tasks);
    expect(groups.flatMap((g) => g.tasks.map((t) => t.key)).sort()).toEqual(tasks.map((t) => t.key).sort());
    expect(groups[0]?.id).toBe('imagenet');
    expect(groups.find((g) => g.id === 'retrieval')?.tasks.map((t) => t.key)).toContain('retrieval/mscoco_2014_5k_test_image_text_retrieval');
    expect(groups.find((g) => g.id === 'builtin')?.tasks.map((t) => t.key)).toEqual(['fashion_mnist']);
  });

  it('say why a task cannot be downloaded', () => {
    const fm = tasks.find((t) => t.key === 'fashion_mnist')!;
    expect(isBuiltinTask(fm)).toBe(true);
    expect(taskUnavailable(fm)).toMatch(/built on this machine/);
    const unsupported = tasks.find((t) => !t.supported)!;
    expect(taskUnavailable(unsupported)).toBe(unsupported.reason);
    expect(taskUnavailable(tasks.find((t) => t.key === 'imagenet1k')!)).toBeNull();
  });
});

describe('scan summaries', () => {
  it('list the facts of a counted shard folder and keep its problems apart', () => {
    const s = scanSummary({ dir: '/d', kind: 'shards', shards: 140, bytes: 3 * 1024 ** 3, samples: 1_000_000, minKey: 0, maxKey: 1_399_999, dataSizeNeeded: 1_400_000, incomplete: 2, classes: null, problems: ['00001.tar: truncated entry'] });
    expect(s.facts).toEqual(['shards', '140 shards', '1,000,000 samples', '3.0 GiB', 'keys 0–1,399,999', '--data_size ≥ 1,400,000', '2 incomplete samples']);
    expect(s.problems).toEqual(['00001.tar: truncated entry']);
  });

  it('read what the built-in build registers, and say when nothing was scanned', () => {
    expect(scanSummary({ samples: 60000, dataSize: 70000, trainData: 'builtin:fashion-mnist' }).facts).toEqual(['60,000 samples', '--data_size ≥ 70,000']);
    expect(scanSummary({ task: 'fashion_mnist', classes: 10 }).facts).toEqual(['10 classes', 'task fashion_mnist']);
    expect(scanSummary(null)).toEqual({ facts: [], problems: [], scanned: false });
  });
});
