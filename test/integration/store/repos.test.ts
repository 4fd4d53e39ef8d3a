import { describe, expect, it } from 'vitest';
import { StoreError } from '../../../src-main/store';
import { useTempStores } from './temp-store';

describe('events', () => {
  const stores = useTempStores();

  it('adds run and global events in one transaction and tails them by id', () => {
    const store = stores.open();
    const run = store.runs.create({ id: 'r', name: 'r', origin: 'cli' });
    const ids = store.events.add([
      { runId: run.id, time: 1, level: 'info', kind: 'log', message: 'epoch 1 started' },
      { runId: run.id, time: 2, level: 'warn', kind: 'gpu', message: 'hot', data: { temperatureC: 91, gpu: 0 } },
      { time: 3, level: 'error', kind: 'download', message: 'global failure', runId: null },
    ]);
    expect(ids).toHaveLength(3);
    expect(store.events.list({ runId: 'r' }).map((e) => e.message)).toEqual(['epoch 1 started', 'hot']);
    expect(store.events.list({ runId: null }).map((e) => e.kind)).toEqual(['download']);
    expect(store.events.list({ afterId: ids[0] }).map((e) => e.id)).toEqual(ids.slice(1));
    expect(store.events.list({ levels: ['warn', 'error'] }).map((e) => e.level)).toEqual(['warn', 'error']);
    expect(store.events.list({ kinds: ['gpu'] })[0]?.data).toEqual({ temperatureC: 91, gpu: 0 });
    // limit keeps the newest, returned oldest first.
    expect(store.events.list({ limit: 2 }).map((e) => e.id)).toEqual(ids.slice(1));
    expect(store.events.list({ beforeId: ids[2], limit: 1 }).map((e) => e.id)).toEqual([ids[1]]);
  });

  it('rejects the whole batch on a bad event or an unknown run', () => {
    const store = stores.open();
    expect(() => store.events.add([{ level: 'info', kind: 'log', message: 'ok' }, { level: 'loud' as never, kind: 'log', message: 'x' }])).toThrow(
      /1\.level/,
    );
    expect(() => store.events.add([{ level: 'info', kind: 'log', message: 'ok' }, { runId: 'ghost', level: 'info', kind: 'log', message: 'x' }])).toThrow(
      /unknown run "ghost"/,
    );
    expect(store.events.list()).toEqual([]);
    const one = store.events.addOne({ level: 'debug', kind: 'k', message: 'm' });
    expect(one).toMatchObject({ level: 'debug', runId: null, data: null });
  });
});

describe('checkpoints', () => {
  const stores = useTempStores();

  it('records, lists, finds the latest resumable one and marks deleted files', () => {
    const store = stores.open();
    store.runs.create({ id: 'r', name: 'r', origin: 'cli' });
    const a = store.checkpoints.add({ runId: 'r', path: '/d/runs/r/checkpoints/epoch_1.safetensors', epoch: 1, step: 100, sizeBytes: 1000, createdAt: 5 });
    const b = store.checkpoints.add({ runId: 'r', path: '/d/runs/r/checkpoints/epoch_2.safetensors', epoch: 2, step: 200, sizeBytes: 1000 });
    expect(store.checkpoints.get(a.id)).toEqual({ ...a, createdAt: 5, fileDeletedAt: null });
    expect(store.checkpoints.listForRun('r').map((c) => c.epoch)).toEqual([1, 2]);
    expect(store.checkpoints.latestForRun('r')?.id).toBe(b.id);
    expect(store.checkpoints.getByPath(a.path)?.id).toBe(a.id);
    store.checkpoints.markFileDeleted(b.id, 99);
    expect(store.checkpoints.latestForRun('r')?.id).toBe(a.id);
    expect(store.checkpoints.get(b.id)?.fileDeletedAt).toBe(99);
    expect(() => store.checkpoints.add({ runId: 'r', path: a.path, epoch: 3, step: 300, sizeBytes: 1 })).toThrow(/already recorded/);
    expect(() => store.checkpoints.add({ runId: 'ghost', path: '/x', epoch: 3, step: 300, sizeBytes: 1 })).toThrow(/unknown run/);
    expect(() => store.checkpoints.add({ runId: 'r', path: '/y', epoch: -1, step: 300, sizeBytes: 1 })).toThrow(/epoch/);
  });
});

describe('evaluations', () => {
  const stores = useTempStores();

  it('stores one row per checkpoint, task and metric; re-running overwrites instead of duplicating', () => {
    const store = stores.open();
    store.runs.create({ id: 'r', name: 'r', origin: 'cli' });
    const c = store.checkpoints.add({ runId: 'r', path: '/c1', epoch: 1, step: 100, sizeBytes: 1 });
    const first = store.evaluations.recordTask({
      target: { checkpointId: c.id },
      task: 'imagenet1k',
      metrics: { acc1: 0.3, acc5: 0.6, mean_per_class_recall: 0.29 },
      mainMetric: 'acc1',
      createdAt: 10,
    });
    expect(first.map((e) => [e.metric, e.value, e.isMain, e.epoch, e.step])).toEqual([
      ['acc1', 0.3, true, 1, 100],
      ['acc5', 0.6, false, 1, 100],
      ['mean_per_class_recall', 0.29, false, 1, 100],
    ]);
    store.evaluations.recordTask({ target: { checkpointId: c.id }, task: 'imagenet1k', metrics: { acc1: 0.35, mean_per_class_recall: 0.3 }, mainMetric: 'mean_per_class_recall' });
    const all = store.evaluations.list({ checkpointId: c.id });
    expect(all).toHaveLength(3);
    expect(all.find((e) => e.metric === 'acc1')).toMatchObject({ value: 0.35, isMain: false });
    expect(store.evaluations.list({ mainOnly: true }).map((e) => e.metric)).toEqual(['mean_per_class_recall']);
    expect(store.evaluations.tasksDone(c.id)).toEqual(['imagenet1k']);
    // A task without a scalar main metric (FairFace) and a null value.
    store.evaluations.recordTask({ target: { checkpointId: c.id }, task: 'fairface', metrics: { acc_race_avg: null }, mainMetric: null });
    expect(store.evaluations.list({ task: 'fairface' })[0]).toMatchObject({ value: null, isMain: false });
  });

  it('also stores results per run epoch when there is no checkpoint row, unique per (run, epoch, task, metric)', () => {
    const store = stores.open();
    store.runs.create({ id: 'r', name: 'r', origin: 'cli' });
    store.evaluations.recordTask({ target: { runId: 'r', epoch: 3 }, task: 'cifar10', metrics: { acc1: 0.8 }, mainMetric: 'acc1' });
    store.evaluations.recordTask({ target: { runId: 'r', epoch: 3 }, task: 'cifar10', metrics: { acc1: 0.85 }, mainMetric: 'acc1' });
    store.evaluations.recordTask({ target: { runId: 'r', epoch: 4 }, task: 'cifar10', metrics: { acc1: 0.9 }, mainMetric: 'acc1' });
    expect(store.evaluations.list({ runIds: ['r'] }).map((e) => [e.epoch, e.value, e.checkpointId])).toEqual([
      [3, 0.85, null],
      [4, 0.9, null],
    ]);
    expect(store.evaluations.list({ runIds: [] })).toEqual([]);
  });

  it('validates the target and the main metric', () => {
    const store = stores.open();
    store.runs.create({ id: 'r', name: 'r', origin: 'cli' });
    expect(() => store.evaluations.recordTask({ target: { checkpointId: 42 }, task: 't', metrics: { a: 1 }, mainMetric: 'a' })).toThrow(/unknown checkpoint 42/);
    expect(() => store.evaluations.recordTask({ target: { runId: 'ghost', epoch: 1 }, task: 't', metrics: { a: 1 }, mainMetric: 'a' })).toThrow(/unknown run/);
    expect(() => store.evaluations.recordTask({ target: { runId: 'r', epoch: 1 }, task: 't', metrics: { a: 1 }, mainMetric: 'b' })).toThrow(/mainMetric/);
  });
});

describe('datasets', () => {
  const stores = useTempStores();

  it('adds, lists, updates the scan, refuses a duplicate path and removes', () => {
    const store = stores.open();
    const d = store.datasets.add({ name: 'DFN 1M', kind: 'downloaded', path: '/d/datasets/dfn', type: 'train', scan: { shards: 140 }, addedAt: 7 });
    store.datasets.add({ name: 'Fashion-MNIST', kind: 'builtin', path: '/d/datasets/fmnist', type: 'eval' });
    expect(d).toMatchObject({ id: d.id, name: 'DFN 1M', kind: 'downloaded', type: 'train', scan: { shards: 140 }, addedAt: 7 });
    expect(store.datasets.list({ type: 'eval' }).map((x) => x.name)).toEqual(['Fashion-MNIST']);
    expect(store.datasets.list({ kind: 'downloaded' })).toHaveLength(1);
    expect(store.datasets.update(d.id, { scan: { shards: 139, missing: ['00000139.tar'] }, name: 'DFN' })).toMatchObject({
      name: 'DFN',
      scan: { shards: 139, missing: ['00000139.tar'] },
    });
    expect(() => store.datasets.add({ name: 'again', kind: 'folder', path: '/d/datasets/dfn', type: 'train' })).toThrow(/already registered as train dataset #\d+ "DFN"/);
    expect(() => store.datasets.add({ name: 'x', kind: 'usb' as never, path: '/p', type: 'train' })).toThrow(/kind/);
    expect(store.datasets.remove(d.id)).toBe(true);
    expect(store.datasets.get(d.id)).toBeUndefined();
    expect(() => store.datasets.update(d.id, { name: 'z' })).toThrow(StoreError);
  });
});

describe('downloads', () => {
  const stores = useTempStores();

  it('tracks progress and status', () => {
    const store = stores.open();
    const sha = 'AB'.repeat(32);
    const d = store.downloads.create({ url: 'http://127.0.0.1:8080/shard-0.tar', dest: '/d/downloads/shard-0.tar', sha256: sha, createdAt: 1 });
    expect(d).toMatchObject({ status: 'queued', doneBytes: 0, totalBytes: null, sha256: sha.toLowerCase(), createdAt: 1, updatedAt: 1 });
    store.downloads.setProgress(d.id, 512, 2048, 5);
    store.downloads.setProgress(d.id, 1024, null, 6);
    expect(store.downloads.get(d.id)).toMatchObject({ doneBytes: 1024, totalBytes: 2048, updatedAt: 6 });
    expect(store.downloads.update(d.id, { status: 'failed', error: 'ECONNRESET' }, 7)).toMatchObject({ status: 'failed', error: 'ECONNRESET', updatedAt: 7 });
    expect(store.downloads.list({ statuses: ['failed'] }).map((x) => x.id)).toEqual([d.id]);
    expect(store.downloads.list({ statuses: ['running'] })).toEqual([]);
    expect(() => store.downloads.create({ url: 'ftp://x/y', dest: '/z' })).toThrow(/url/);
    expect(() => store.downloads.create({ url: 'https://x/y', dest: '/z', sha256: 'abc' })).toThrow(/sha256/);
    expect(() => store.downloads.setProgress(999, 1)).toThrow(/no download with id 999/);
    expect(() => store.downloads.setProgress(d.id, -1)).toThrow(/doneBytes/);
    expect(store.downloads.remove(d.id)).toBe(true);
  });
});
