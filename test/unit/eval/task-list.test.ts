import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TASK_LIST_PATH, loadTaskList, parseTaskList, resolveTasks, taskDataDir } from '../../../src-worker/eval/task-list';

const raw = () => JSON.parse(readFileSync(DEFAULT_TASK_LIST_PATH, 'utf8')) as { tasks: Record<string, unknown>[]; aggregates: unknown[] };

describe('resources/eval/tasks.json', () => {
  const list = loadTaskList();
  const inGroup = (g: string) => list.tasks.filter((t) => t.groups.includes(g)).map((t) => t.name);

  it('holds the 40 DataComp tasks, 38 with a scalar main metric, plus the built-in task', () => {
    expect(list.tasks).toHaveLength(41);
    expect(inGroup('datacomp')).toHaveLength(40);
    expect(list.tasks.filter((t) => t.groups.includes('datacomp') && t.mainMetric !== null)).toHaveLength(38);
    const fm = list.tasks.find((t) => t.key === 'fashion_mnist');
    expect(fm).toMatchObject({ type: 'zeroshot_classification', mainMetric: 'acc1', supported: true, source: { kind: 'builtin' } });
    expect(fm?.classnames).toHaveLength(10);
  });

  it("has DataComp's aggregate groups", () => {
    expect(inGroup('dist_shift').sort()).toEqual(['ImageNet Sketch', 'ImageNet v2', 'ImageNet-A', 'ImageNet-O', 'ImageNet-R', 'ObjectNet'].sort());
    expect(inGroup('vtab')).toHaveLength(13);
    expect(inGroup('vtab')).toContain('SUN397');
    expect(inGroup('retrieval')).toEqual(['Flickr', 'MSCOCO', 'WinoGAViL']);
    expect(list.aggregates.map((a) => a.name)).toEqual(['ImageNet', 'ImageNet dist. shifts', 'VTAB', 'Retrieval']);
  });

  it('follows the download layout of docs/design/file-formats.md#eval-sets and gives the main metrics of the DataComp task list', () => {
    const get = (k: string) => list.tasks.find((t) => t.key === k)!;
    expect(get('vtab/cifar100').source).toEqual({ kind: 'wds', hfRepo: 'djghosh/wds_vtab-cifar100_test', dir: 'wds_vtab-cifar100_test' });
    expect(get('fairness/dollar_street').source).toMatchObject({ hfRepo: 'djghosh/wds_dollar_street_test' });
    expect(get('retrieval/mscoco_2014_5k_test_image_text_retrieval').source).toMatchObject({ kind: 'hf_dataset', hfRepo: 'nlphuji/mscoco_2014_5k_test_image_text_retrieval' });
    expect(taskDataDir('/data', get('imagenet1k'))).toBe('/data/wds_imagenet1k_test');
    expect(taskDataDir('/data', get('retrieval/flickr_1k_test_image_text_retrieval'))).toBe('/data/wds_flickr_1k_test');
    expect(taskDataDir('/data', get('fashion_mnist'))).toBeNull();
    for (const k of ['vtab/caltech101', 'fgvc_aircraft', 'vtab/flowers', 'vtab/pets']) expect(get(k).mainMetric).toBe('mean_per_class_recall');
    expect(get('wilds/iwildcam').mainMetric).toBe('F1-macro_all');
    expect(get('fairness/fairface').mainMetric).toBeNull();
  });

  it('marks the tasks it cannot evaluate yet as unsupported, each with a reason', () => {
    const unsupported = list.tasks.filter((t) => !t.supported);
    expect(unsupported.map((t) => t.key).sort()).toEqual(
      ['fairness/dollar_street', 'fairness/fairface', 'fairness/geode', 'fairness/utkface', 'misc/winogavil', 'wilds/fmow', 'wilds/iwildcam'].sort(),
    );
    for (const t of unsupported) expect(t.reason).toMatch(/not implemented yet/);
  });
});

describe('resolveTasks', () => {
  const list = loadTaskList();
  it('accepts keys and metric prefixes, in task-list order, without duplicates', () => {
    const keys = resolveTasks(list, 'mscoco, imagenet1k,vtab/cifar100,IMAGENET1K').map((t) => t.key);
    expect(keys).toEqual(['vtab/cifar100', 'imagenet1k', 'retrieval/mscoco_2014_5k_test_image_text_retrieval']);
  });
  it('expands groups and all; an empty value means all', () => {
    expect(resolveTasks(list, 'dist_shift')).toHaveLength(6);
    expect(resolveTasks(list, 'all')).toHaveLength(41);
    expect(resolveTasks(list, '')).toHaveLength(41);
    expect(resolveTasks(list, ['datacomp'])).toHaveLength(40);
  });
  it('rejects an unknown task with the list of valid ones', () => {
    expect(() => resolveTasks(list, 'imagenet1k,cifar11')).toThrow(/unknown task "cifar11".*Valid tasks: .*vtab\/cifar100 \(or cifar100\).*Groups: all, /);
  });

  it('suggests the nearest task name for a typo, and nothing for a word far from every name', () => {
    expect(() => resolveTasks(list, 'fashon_mnist')).toThrow(/unknown task "fashon_mnist"\. Did you mean "fashion_mnist" for "fashon_mnist"\?/);
    expect(() => resolveTasks(list, 'imagnet1k,mscoco')).toThrow(/Did you mean "imagenet1k" for "imagnet1k"\?/);
    expect(() => resolveTasks(list, 'zzzzzzzzzzzz')).toThrow(/unknown task "zzzzzzzzzzzz"\. Valid tasks:/);
  });
});

describe('task list validation', () => {
  it('names the task and field of a bad entry', () => {
    const data = raw();
    data.tasks[3]!.type = 'captioning';
    expect(() => parseTaskList(data, 'tasks.json')).toThrow(/tasks.json: tasks.3.type \(task "vtab\/clevr_count_all"\): /);
  });
  it('rejects duplicate keys, unsupported tasks without a reason and templates without {c}', () => {
    const dup = raw();
    dup.tasks.push({ ...dup.tasks[0]!, metricPrefix: 'other' });
    expect(() => parseTaskList(dup)).toThrow(/task key "vtab\/caltech101" appears twice/);
    const noReason = raw();
    noReason.tasks[0]!.supported = false;
    expect(() => parseTaskList(noReason)).toThrow(/an unsupported task needs a "reason"/);
    const badTemplate = raw();
    badTemplate.tasks.find((t) => t.key === 'fashion_mnist')!.templates = ['a photo'];
    expect(() => parseTaskList(badTemplate)).toThrow(/\{c\} placeholder/);
  });
  it('rejects an aggregate over a group no task has, and unknown fields', () => {
    const agg = raw();
    agg.aggregates.push({ id: 'x', name: 'X', group: 'nothing' });
    expect(() => parseTaskList(agg)).toThrow(/group "nothing", which no task belongs to/);
    const extra = raw();
    extra.tasks[0]!.mainmetric = 'acc1';
    expect(() => parseTaskList(extra)).toThrow(/mainmetric/);
  });
  it('says which file could not be read', () => {
    expect(() => loadTaskList('/nonexistent/tasks.json')).toThrow(/task list \/nonexistent\/tasks.json could not be read/);
  });
});
