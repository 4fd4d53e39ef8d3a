/**
 * The API-backed stores against the in-memory fake client: initial loads, then events (dispatched
 * through the same hub the transport feeds) keeping them current.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import type { ApiClient } from '../../../../src-shared/api/contract';
import { createFakeClient } from '../../../../src-renderer/dev/fake-client';
import { installClient } from '../../../../src-renderer/stores/client';
import { dispatchEvents } from '../../../../src-renderer/stores/events';
import { useRunDetails } from '../../../../src-renderer/stores/run-details';
import { useRuns } from '../../../../src-renderer/stores/runs';
import { appendStats, STATS_HISTORY, useSystem } from '../../../../src-renderer/stores/system';

let api: ApiClient;
beforeEach(() => {
  api = createFakeClient({ longRunPoints: 500, tickMs: 0 });
  installClient(api);
  setActivePinia(createPinia());
});

describe('runs store', () => {
  it('loads the list, newest first, and keeps it current from run events', async () => {
    const runs = useRuns();
    await runs.load();
    expect(runs.list.length).toBe(4);
    expect(runs.list[0]!.createdAt).toBeGreaterThanOrEqual(runs.list[1]!.createdAt);
    const live = runs.byId.get('fake-live')!;
    dispatchEvents([{ type: 'run', run: { ...live, status: 'finished' } }, { type: 'run', run: { ...live, id: 'new-run', name: 'new', createdAt: Date.now() + 1000 } }]);
    expect(runs.byId.get('fake-live')?.status).toBe('finished');
    expect(runs.list[0]!.id).toBe('new-run');
    expect(runs.active.map((r) => r.id)).not.toContain('fake-live');
  });
  it('saves tags and notes through runs.update and shows the answer', async () => {
    const runs = useRuns();
    await runs.load();
    await runs.update('fake-baseline', { tags: ['x', 'y'], notes: 'n' });
    expect(runs.byId.get('fake-baseline')).toMatchObject({ tags: ['x', 'y'], notes: 'n' });
    const fresh = await api.call('runs.get', { id: 'fake-baseline' });
    expect(fresh.tags).toEqual(['x', 'y']);
  });
  it('reports a load failure instead of an empty table', async () => {
    installClient({ transport: 'web', call: () => Promise.reject(new Error('HTTP 401: wrong token')), subscribe: () => () => undefined });
    const runs = useRuns();
    await runs.load();
    expect(runs.loadError).toMatch(/401/);
    expect(runs.loaded).toBe(false);
  });
  it('toggles the compare selection', () => {
    const runs = useRuns();
    runs.toggleSelected('a');
    runs.toggleSelected('b', true);
    runs.toggleSelected('a');
    expect([...runs.selected]).toEqual(['b']);
  });
});

describe('run details store', () => {
  it('loads a run and folds checkpoint, evaluation, metrics and run events into it', async () => {
    const d = useRunDetails();
    await d.load('fake-live');
    const before = d.details.get('fake-live')!;
    expect(before.checkpoints).toEqual([]);
    // A run event carries the summary only: the detail's config and lists must survive it.
    const { config: _c, command: _m, outDir: _o, checkpoints: _k, evaluations: _e, metricKeys: _mk, ...summaryOnly } = before;
    dispatchEvents([
      { type: 'checkpoint', checkpoint: { id: 900, runId: 'fake-live', path: '/x', epoch: 0, step: 400, sizeBytes: 10, createdAt: 1 } },
      { type: 'checkpoint', checkpoint: { id: 900, runId: 'fake-live', path: '/x', epoch: 0, step: 400, sizeBytes: 10, createdAt: 1 } },
      { type: 'evaluation', runId: 'fake-live', rows: [{ runId: 'fake-live', runName: 'live demo', checkpointId: 900, epoch: 0, step: 400, task: 'fashion_mnist', metric: 'acc1', value: 0.7, isMain: true }] },
      { type: 'metrics', runId: 'fake-live', points: [{ key: 'val/fashion_mnist/acc1', step: 400, value: 0.7, wall: 1 }, { key: 'train/loss', step: 400, value: 1, wall: 1 }] },
      { type: 'run', run: { ...summaryOnly, status: 'paused' } },
    ]);
    const after = d.details.get('fake-live')!;
    expect(after.checkpoints.map((c) => c.id)).toEqual([900]);
    expect(after.evaluations).toHaveLength(1);
    expect(after.metricKeys.filter((k) => k === 'val/fashion_mnist/acc1')).toHaveLength(1);
    expect(after.metricKeys.filter((k) => k === 'train/loss')).toHaveLength(1);
    expect(after.status).toBe('paused');
    expect(after.config).toEqual(before.config);
  });
  it('ignores events of runs it has not loaded', () => {
    const d = useRunDetails();
    dispatchEvents([{ type: 'checkpoint', checkpoint: { id: 1, runId: 'other', path: '/x', epoch: 0, step: 1, sizeBytes: 1, createdAt: 1 } }]);
    expect(d.details.size).toBe(0);
  });
  it('tracks an evaluation from the click to the eval-job events', async () => {
    const d = useRunDetails();
    const [job] = await d.evaluate('fake-baseline', 5, ['fashion_mnist']);
    expect(d.jobForCheckpoint(5)).toMatchObject({ id: job, status: 'queued' });
    dispatchEvents([{ type: 'eval-job', job: { id: job!, checkpointId: 5, runId: 'fake-baseline', tasks: ['fashion_mnist'], status: 'running', error: null }, done: 2, total: 4, message: 'zero-shot' }]);
    expect(d.jobForCheckpoint(5)).toMatchObject({ status: 'running', done: 2, total: 4, message: 'zero-shot' });
  });
  it('remembers why a run could not load', async () => {
    const d = useRunDetails();
    expect(await d.load('missing')).toBeNull();
    expect(d.errors.get('missing')).toMatch(/missing/);
  });
});

describe('system store', () => {
  it('loads the GPU snapshot and replaces GPUs from gpu events', async () => {
    const s = useSystem();
    await s.loadGpu();
    expect(s.gpu?.gpus).toHaveLength(2);
    dispatchEvents([{ type: 'gpu', gpus: [] }]);
    expect(s.gpu).toMatchObject({ state: 'running', gpus: [] });
  });
  it('keeps live system figures current from system events, with a bounded history', async () => {
    const s = useSystem();
    await s.loadStats();
    expect(s.stats?.cpuPerCore).toHaveLength(16);
    const first = s.stats!;
    const later = { ...first, t: first.t + 2000, memory: { ...first.memory, usedBytes: first.memory.usedBytes + 2 ** 30 } };
    dispatchEvents([{ type: 'system', stats: later }]);
    // Not frozen at the first reading: the event's memory figure is what the panel shows.
    expect(s.stats?.memory.usedBytes).toBe(first.memory.usedBytes + 2 ** 30);
    expect(s.statsHistory.map((x) => x.t)).toEqual([first.t, first.t + 2000]);
    let h = s.statsHistory;
    for (let i = 0; i < STATS_HISTORY + 10; i++) h = appendStats(h, { ...first, t: first.t + 10_000 + i });
    expect(h).toHaveLength(STATS_HISTORY);
    expect(h[h.length - 1]!.t).toBe(first.t + 10_000 + STATS_HISTORY + 9);
    // An older sample arriving late is ignored.
    expect(appendStats(h, { ...first, t: 0 })).toHaveLength(STATS_HISTORY);
  });
  it('resumes the queue', async () => {
    const s = useSystem();
    await s.resumeQueue();
    expect(s.queue?.paused).toBe(false);
  });
});
