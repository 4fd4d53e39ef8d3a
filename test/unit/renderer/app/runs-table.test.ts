import { describe, expect, it } from 'vitest';
import { DEFAULT_HIDDEN_COLUMNS, EMPTY_FILTER, filterRuns, formatCell, metricKeysOf, parseTags, passesThreshold, runColumns, sortRuns, tagsOf, visibleColumns } from '../../../../src-renderer/stores/runs-table';
import { parseHiddenColumns } from '../../../../src-renderer/stores/runs-view';
import { summary } from './fixtures';

const runs = [
  summary({ id: 'a', name: 'baseline', status: 'finished', createdAt: 3, tags: ['base'], params: { model: 'ViT-B-32', lr: 1e-3, batchSize: 256, objective: 'FastCLIP v3', distillModel: null }, lastMetrics: { 'train/loss': 0.5, 'val/imagenet/acc1': 0.31 }, bestMetrics: { 'train/loss': 0.4 } }),
  summary({ id: 'b', name: 'distill w=0.5', status: 'running', createdAt: 2, tags: ['distill', 'base'], notes: 'teacher ViT-L', params: { model: 'ViT-B-16', lr: 5e-4, batchSize: 128, distillModel: 'ViT-L-14' }, lastMetrics: { 'train/loss': 1.2 }, bestMetrics: { 'train/loss': 1.1 } }),
  summary({ id: 'c', name: 'crashed', status: 'failed', createdAt: 1, params: { model: 'ViT-B-16', lr: 2e-3 }, lastMetrics: {}, bestMetrics: {} }),
];
const col = (id: string) => {
  const c = runColumns(runs).find((x) => x.id === id);
  if (!c) throw new Error(`no column ${id}`);
  return c;
};

describe('runs table columns', () => {
  it('has the key hyperparameters and last/best loss, plus eval metrics found in the runs', () => {
    const ids = runColumns(runs).map((c) => c.id);
    expect(ids).toEqual(expect.arrayContaining(['status', 'name', 'tags', 'model', 'objective', 'teacher', 'lr', 'batch', 'gpus', 'last:train/loss', 'best:train/loss', 'last:val/imagenet/acc1']));
    expect(ids).not.toContain('last:train/lr');
  });
  it('reports cpu when a run has no devices', () => {
    expect(col('gpus').value(runs[0]!)).toBe('cpu');
    expect(col('gpus').value(summary({ id: 'g', devices: ['0', '1'] }))).toBe('0,1');
  });
});

describe('sortRuns', () => {
  it('sorts numbers numerically in both directions', () => {
    expect(sortRuns(runs, col('lr'), 'asc').map((r) => r.id)).toEqual(['b', 'a', 'c']);
    expect(sortRuns(runs, col('lr'), 'desc').map((r) => r.id)).toEqual(['c', 'a', 'b']);
  });
  it('puts missing values last whichever the direction', () => {
    expect(sortRuns(runs, col('last:train/loss'), 'asc').map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(sortRuns(runs, col('last:train/loss'), 'desc').map((r) => r.id)).toEqual(['b', 'a', 'c']);
    expect(sortRuns(runs, col('teacher'), 'asc').map((r) => r.id)[0]).toBe('b');
  });
  it('sorts text naturally and does not mutate its input', () => {
    const before = runs.map((r) => r.id);
    expect(sortRuns(runs, col('name'), 'asc').map((r) => r.id)).toEqual(['a', 'c', 'b']);
    expect(runs.map((r) => r.id)).toEqual(before);
  });
});

describe('filterRuns', () => {
  it('matches every word of the text in name, tags, notes or parameters', () => {
    expect(filterRuns(runs, { ...EMPTY_FILTER, text: 'vit-l' }).map((r) => r.id)).toEqual(['b']);
    expect(filterRuns(runs, { ...EMPTY_FILTER, text: 'ViT-B-16 crashed' }).map((r) => r.id)).toEqual(['c']);
    expect(filterRuns(runs, { ...EMPTY_FILTER, text: 'nothing-like-this' })).toEqual([]);
  });
  it('filters by tag and by statuses', () => {
    expect(filterRuns(runs, { ...EMPTY_FILTER, tag: 'base' }).map((r) => r.id)).toEqual(['a', 'b']);
    expect(filterRuns(runs, { ...EMPTY_FILTER, statuses: ['failed', 'running'] }).map((r) => r.id)).toEqual(['b', 'c']);
  });
  it('filters by a metric threshold on the last or the best value; runs without the metric fail it', () => {
    expect(filterRuns(runs, { ...EMPTY_FILTER, metric: { key: 'train/loss', op: '<', value: 1, which: 'last' } }).map((r) => r.id)).toEqual(['a']);
    expect(filterRuns(runs, { ...EMPTY_FILTER, metric: { key: 'train/loss', op: '>=', value: 1.1, which: 'best' } }).map((r) => r.id)).toEqual(['b']);
    expect(passesThreshold(runs[2]!, { key: 'train/loss', op: '>', value: -1, which: 'last' })).toBe(false);
  });
  it('combines filters', () => {
    expect(filterRuns(runs, { text: 'vit', tag: 'base', statuses: ['finished'], metric: null }).map((r) => r.id)).toEqual(['a']);
  });
});

describe('tags and keys', () => {
  it('collects tags and metric keys across runs', () => {
    expect(tagsOf(runs)).toEqual(['base', 'distill']);
    expect(metricKeysOf(runs)).toEqual(['train/loss', 'val/imagenet/acc1']);
  });
  it('parses a comma-separated tag list without blanks or duplicates', () => {
    expect(parseTags(' a, b ,, a ,c ')).toEqual(['a', 'b', 'c']);
    expect(parseTags('')).toEqual([]);
  });
});

describe('runs table number formats and column picker', () => {
  it('prints every learning rate in one notation, metrics with four decimals, batches grouped', () => {
    expect(formatCell('sci', 5e-4)).toBe('5e-4');
    expect(formatCell('sci', 0.002)).toBe('2e-3');
    expect(formatCell('sci', 1.5e-4)).toBe('1.5e-4');
    expect(formatCell('metric', 0.70921)).toBe('0.7092');
    expect(formatCell('metric', 2)).toBe('2.0000');
    expect(formatCell('int', 4096)).toBe('4,096');
    expect(formatCell('metric', null)).toBe('—');
    expect(formatCell('text', 'ViT-B-16')).toBe('ViT-B-16');
    expect(col('lr').format).toBe('sci');
    expect(col('last:train/loss').format).toBe('metric');
  });
  it('puts Name first and never lets the picker hide it', () => {
    const cols = runColumns(runs);
    expect(cols[0]!.id).toBe('name');
    const shown = visibleColumns(cols, new Set(['name', 'gpus', 'status']));
    expect(shown.map((c) => c.id)).toContain('name');
    expect(shown.map((c) => c.id)).not.toContain('gpus');
    expect(shown.map((c) => c.id)).not.toContain('status');
  });
  it('remembers the hidden columns, falling back to defaults for a missing or damaged entry', () => {
    expect(parseHiddenColumns(null)).toEqual([...DEFAULT_HIDDEN_COLUMNS]);
    expect(parseHiddenColumns('not json')).toEqual([...DEFAULT_HIDDEN_COLUMNS]);
    expect(parseHiddenColumns('[1,2]')).toEqual([...DEFAULT_HIDDEN_COLUMNS]);
    expect(parseHiddenColumns('["tags","name"]')).toEqual(['tags']);
    expect(parseHiddenColumns('[]')).toEqual([]);
  });
});
