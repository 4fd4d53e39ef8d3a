import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import type { DatasetInfo, DownloadInfo } from '../../../../src-shared/api/types';
import { installClient } from '../../../../src-renderer/stores/client';
import { dispatchEvents } from '../../../../src-renderer/stores/events';
import { useDataStore } from '../../../../src-renderer/stores/data';
import { apiError, fakeApi, flush, type FakeApi } from './fake-api';

const dl = (id: number, over: Partial<DownloadInfo> = {}): DownloadInfo => ({
  id, url: `https://h/${id}`, dest: `d/${id}`, status: 'running', totalBytes: 100, doneBytes: 10, bytesPerSecond: 5, etaSeconds: 18, error: null, ...over,
});
const builtinSet: DatasetInfo = { id: 7, name: 'fashion-mnist (train)', kind: 'builtin', type: 'train', path: '/h/datasets/fashion-mnist', scan: { samples: 60000, trainData: 'builtin:fashion-mnist' }, addedAt: 1 };

let api: FakeApi;
let datasets: DatasetInfo[];
const made: { $dispose(): void }[] = [];

/** The event hub is app-wide: a store left over from an earlier test would still answer events. */
function store() {
  const s = useDataStore();
  made.push(s);
  return s;
}
afterEach(() => { for (const s of made.splice(0)) s.$dispose(); });

beforeEach(() => {
  setActivePinia(createPinia());
  datasets = [];
  api = fakeApi({
    'downloads.list': () => ({ downloads: [dl(1, { status: 'done' })] }),
    'datasets.list': () => ({ datasets }),
    'tasks.list': () => ({ tasks: [] }),
    'models.list': () => ({ models: [] }),
    'datasets.buildBuiltin': () => ({ started: true }),
  });
  installClient(api);
});

describe('the Data page store', () => {
  it('keeps downloads current from download events', async () => {
    const data = store();
    await data.load();
    dispatchEvents([{ type: 'download', download: dl(2) }]);
    dispatchEvents([{ type: 'download', download: dl(2, { doneBytes: 60, etaSeconds: 8 }) }]);
    expect(data.downloads.map((d) => [d.id, d.doneBytes])).toEqual([[2, 60], [1, 10]]);
  });

  it('refetches the pulled models once when a download finishes', async () => {
    const data = store();
    await data.load();
    const before = api.callsOf('models.list').length;
    dispatchEvents([{ type: 'download', download: dl(3, { status: 'done', doneBytes: 100 }) }]);
    dispatchEvents([{ type: 'download', download: dl(3, { status: 'done', doneBytes: 100 }) }]);
    await flush();
    expect(api.callsOf('models.list').length).toBe(before + 1);
  });

  it('shows the built-in build\'s progress, then lists the dataset it registered', async () => {
    const data = store();
    await data.load();
    expect(await data.buildBuiltin()).toBeNull();
    expect(data.build).toMatchObject({ finished: false, message: 'starting' });
    dispatchEvents([{ type: 'dataset-build', name: 'fashion-mnist', done: 30000, total: 70000, message: 'shards', finished: false, error: null }]);
    expect(data.build).toMatchObject({ done: 30000, total: 70000, message: 'shards' });
    datasets = [builtinSet];
    dispatchEvents([{ type: 'dataset-build', name: 'fashion-mnist', done: 1, total: 1, message: 'ready', finished: true, error: null }]);
    await flush();
    expect(data.datasets.map((d) => d.name)).toEqual(['fashion-mnist (train)']);
  });

  it('keeps a build under way when another window already started it', async () => {
    api.handlers['datasets.buildBuiltin'] = () => { throw apiError('the built-in dataset is already being built', 'name', 409); };
    const data = store();
    const problem = await data.buildBuiltin();
    expect(problem).toEqual({ field: 'name', message: 'the built-in dataset is already being built' });
    expect(data.build?.finished).toBe(false);
  });

  it('returns the server\'s error with its field and without the echoed prefix', async () => {
    api.handlers['downloads.start'] = () => { throw apiError('downloads.start: dest: give a relative path inside the folder, without ".."', 'dest'); };
    api.handlers['datasets.add'] = () => { throw apiError('path: /nope is not an existing folder', 'path'); };
    const data = store();
    expect(await data.startDownload({ source: 'url', url: 'https://h/x.tar', dest: '../x' })).toEqual({ field: 'dest', message: 'give a relative path inside the folder, without ".."' });
    expect(await data.addDataset({ path: '/nope', type: 'train' })).toEqual({ field: 'path', message: '/nope is not an existing folder' });
  });
});
