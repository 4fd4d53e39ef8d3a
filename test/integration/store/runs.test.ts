import { describe, expect, it } from 'vitest';
import { StoreError, makeRunId, RUN_STATUSES } from '../../../src-main/store';
import { RUN_ID_PATTERN } from '../../../src-main/paths';
import { useTempStores } from './temp-store';

describe('runs repository', () => {
  const stores = useTempStores();

  it('creates a run with defaults and reads every field back', () => {
    const store = stores.open();
    const run = store.runs.create({
      name: 'FastCLIP v3, "medium" — ünï',
      origin: 'app',
      config: { model: 'ViT-B-16', optim: { lr: 1e-3, betas: [0.9, 0.98] }, flag: true, none: null },
      devices: ['gpu:0', 'gpu:1'],
      tags: ['baseline', 'v3', 'baseline'],
      notes: 'line one\nline two, with comma',
      outDir: '/data/runs/x',
      resumable: true,
      createdAt: 1_700_000_000_000,
    });
    expect(run.id).toMatch(RUN_ID_PATTERN);
    expect(run).toMatchObject({
      status: 'queued',
      createdAt: 1_700_000_000_000,
      startedAt: null,
      endedAt: null,
      tags: ['baseline', 'v3'],
      pids: [],
      resumable: true,
      origin: 'app',
      metricSegment: 0,
      error: null,
    });
    expect(store.runs.get(run.id)).toEqual(run);
    expect(run.config).toEqual({ model: 'ViT-B-16', optim: { lr: 1e-3, betas: [0.9, 0.98] }, flag: true, none: null });
  });

  it('makes readable, folder-safe ids and refuses duplicates and unsafe ones', () => {
    const id = makeRunId('My Run: ViT/B-16 (v3)', new Date(Date.UTC(2026, 10, 26, 22, 51, 7)));
    expect(id).toMatch(/^20261126-225107-my-run-vit-b-16-v3-[0-9a-f]{4}$/);
    expect(makeRunId('日本語')).toMatch(/-run-[0-9a-f]{4}$/);
    const store = stores.open();
    store.runs.create({ id: 'fixed', name: 'a', origin: 'cli' });
    expect(() => store.runs.create({ id: 'fixed', name: 'b', origin: 'cli' })).toThrow(/already exists/);
    expect(() => store.runs.create({ id: '../x', name: 'b', origin: 'cli' })).toThrow(/id/);
  });

  it('validates input and names the bad fields', () => {
    const store = stores.open();
    const bad = { name: '', origin: 'somewhere', config: [1, 2] } as unknown as Parameters<typeof store.runs.create>[0];
    let caught: unknown;
    try {
      store.runs.create(bad);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(StoreError);
    expect((caught as StoreError).code).toBe('INVALID_INPUT');
    const message = (caught as Error).message;
    expect(message).toMatch(/name: give the run a name/);
    expect(message).toMatch(/origin/);
    expect(message).toMatch(/config/);
    expect(() => store.runs.update('nope', { notes: 'x' })).toThrow(/no run with id "nope"/);
    const run = store.runs.create({ name: 'r', origin: 'cli' });
    expect(() => store.runs.update(run.id, { pids: [-1] } as never)).toThrow(/pids/);
    expect(() => store.runs.update(run.id, { colour: 'red' } as never)).toThrow(/colour/);
  });

  it('updates fields', () => {
    const store = stores.open();
    const run = store.runs.create({ name: 'r', origin: 'cli' });
    const updated = store.runs.update(run.id, { name: 'renamed', tags: ['x'], notes: 'n', pids: [123, 456], devices: ['cpu'], outDir: null, resumable: true, config: { a: 1 } });
    expect(updated).toMatchObject({ name: 'renamed', tags: ['x'], notes: 'n', pids: [123, 456], devices: ['cpu'], outDir: null, resumable: true, config: { a: 1 } });
  });

  it('stamps started_at once and ended_at on terminal statuses, clearing it on resume', () => {
    const store = stores.open();
    const run = store.runs.create({ name: 'r', origin: 'cli' });
    expect(store.runs.setStatus(run.id, 'starting', { at: 100 })).toMatchObject({ status: 'starting', startedAt: 100, endedAt: null });
    expect(store.runs.setStatus(run.id, 'running', { at: 200 })).toMatchObject({ startedAt: 100 });
    expect(store.runs.setStatus(run.id, 'failed', { at: 300, error: 'CUDA out of memory' })).toMatchObject({
      status: 'failed',
      endedAt: 300,
      error: 'CUDA out of memory',
    });
    expect(store.runs.setStatus(run.id, 'running', { at: 400, error: null })).toMatchObject({ startedAt: 100, endedAt: null, error: null });
    expect(store.runs.setStatus(run.id, 'stalled', { at: 450 })).toMatchObject({ status: 'stalled', endedAt: null });
    expect(store.runs.setStatus(run.id, 'finished', { at: 500 })).toMatchObject({ endedAt: 500 });
    for (const s of RUN_STATUSES) expect(store.runs.setStatus(run.id, s).status).toBe(s);
    expect(() => store.runs.setStatus(run.id, 'exploded' as never)).toThrow(/status/);
  });

  it('lists newest first, filtered by status, tag, search text and origin, with paging', () => {
    const store = stores.open();
    store.runs.create({ id: 'a', name: 'alpha', origin: 'app', tags: ['t1'], createdAt: 1 });
    store.runs.create({ id: 'b', name: 'beta', origin: 'cli', tags: ['t2'], createdAt: 2, notes: 'uses 50% data_x' });
    store.runs.create({ id: 'c', name: 'gamma', origin: 'app', tags: ['t1', 't2'], createdAt: 3, status: 'running' });
    expect(store.runs.list().map((r) => r.id)).toEqual(['c', 'b', 'a']);
    expect(store.runs.list({ statuses: ['running'] }).map((r) => r.id)).toEqual(['c']);
    expect(store.runs.list({ tag: 't1' }).map((r) => r.id)).toEqual(['c', 'a']);
    expect(store.runs.list({ search: 'ALP' }).map((r) => r.id)).toEqual(['a']);
    // LIKE wildcards in the search text are literal.
    expect(store.runs.list({ search: '50%' }).map((r) => r.id)).toEqual(['b']);
    expect(store.runs.list({ search: 'alph_' }).map((r) => r.id)).toEqual([]);
    expect(store.runs.list({ origin: 'cli' }).map((r) => r.id)).toEqual(['b']);
    expect(store.runs.list({ limit: 1, offset: 1 }).map((r) => r.id)).toEqual(['b']);
  });

  it('deleting a run removes its metrics, events, checkpoints and evaluations', () => {
    const store = stores.open();
    const run = store.runs.create({ name: 'r', origin: 'cli' });
    store.metrics.append(run.id, Array.from({ length: 3000 }, (_, i) => ({ key: 'loss', step: i, value: 1, wallTime: 1 })));
    store.events.add([{ runId: run.id, level: 'info', kind: 'log', message: 'hi' }]);
    const ckpt = store.checkpoints.add({ runId: run.id, path: '/x/epoch_1.safetensors', epoch: 1, step: 10, sizeBytes: 5 });
    store.evaluations.recordTask({ target: { checkpointId: ckpt.id }, task: 'cifar10', metrics: { acc1: 0.5 }, mainMetric: 'acc1' });
    expect(store.runs.delete(run.id)).toBe(true);
    expect(store.runs.delete(run.id)).toBe(false);
    for (const table of ['metric_series', 'metric_points', 'metric_chunks', 'events', 'checkpoints', 'evaluations']) {
      expect(store.db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get()).toBe(0);
    }
  });

  it('reports a hand-corrupted JSON column with its location', () => {
    const store = stores.open();
    store.runs.create({ id: 'r', name: 'r', origin: 'cli' });
    store.db.prepare("UPDATE runs SET tags = '[oops' WHERE id = 'r'").run();
    expect(() => store.runs.get('r')).toThrow(/runs\.tags of row r is not valid JSON/);
  });
});
