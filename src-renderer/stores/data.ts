/**
 * The Data page's state: downloads (kept current by `download` events), registered datasets with their
 * scans, the evaluation task list, pulled models, and the built-in dataset's build (from
 * `dataset-build` events). Every action's error comes back as { field, message } so the form shows
 * it next to the field it is about.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { ApiInput, ModelInfo, TaskInfo } from '../../src-shared/api/contract';
import type { DatasetInfo, DownloadInfo } from '../../src-shared/api/types';
import { client } from './client';
import { useEvents } from './events';
import { upsertDownload } from '../components/data/downloads';
import { messageWithFix } from '../../src-shared/errors';

/** An action's error, with the request field it is about (the server's validation names it). */
export interface RequestProblem { field: string; message: string }

export interface BuildState { name: string; done: number; total: number; message: string; finished: boolean; error: string | null }

/** The server prefixes validation messages with "<method>: <field>: "; next to the field that is noise. */
function problemOf(err: unknown, method: string, fallbackField: string): RequestProblem {
  const raw = (err as { field?: unknown }).field;
  const field = typeof raw === 'string' && raw ? raw : fallbackField;
  let message = messageWithFix(err);
  if (message.startsWith(`${method}: `)) message = message.slice(method.length + 2);
  if (message.startsWith(`${field}: `)) message = message.slice(field.length + 2);
  return { field, message };
}

export const useDataStore = defineStore('data', () => {
  const downloads = shallowRef<DownloadInfo[]>([]);
  const datasets = shallowRef<DatasetInfo[]>([]);
  const tasks = shallowRef<TaskInfo[]>([]);
  const models = shallowRef<ModelInfo[]>([]);
  const build = ref<BuildState | null>(null);
  const loadError = ref<string | null>(null);
  const loaded = ref(false);
  /** Datasets being scanned, by id (a counting scan reads every shard and can take a while). */
  const scanning = ref<Record<number, boolean>>({});

  async function refreshDatasets(): Promise<void> {
    datasets.value = (await client().call('datasets.list', {})).datasets;
  }
  async function refreshModels(): Promise<void> {
    models.value = (await client().call('models.list', {})).models;
  }

  async function load(): Promise<void> {
    loadError.value = null;
    try {
      const api = client();
      const [d, ds, ts, ms] = await Promise.all([
        api.call('downloads.list', {}), api.call('datasets.list', {}), api.call('tasks.list', {}),
        api.call('models.list', {}).catch(() => ({ models: [] as ModelInfo[] })),
      ]);
      downloads.value = [...d.downloads].sort((a, b) => b.id - a.id);
      datasets.value = ds.datasets;
      tasks.value = ts.tasks;
      models.value = ms.models;
      loaded.value = true;
    } catch (err) {
      loadError.value = err instanceof Error ? err.message : String(err);
    }
  }

  const events = useEvents();
  events.on('download', (e) => {
    const before = downloads.value.find((x) => x.id === e.download.id);
    downloads.value = upsertDownload(downloads.value, e.download);
    // A finished model pull shows up in models.list (and so as a teacher in the wizard).
    if (e.download.status === 'done' && before?.status !== 'done') void refreshModels().catch(() => undefined);
  });
  events.on('dataset-build', (e) => {
    build.value = { name: e.name, done: e.done, total: e.total, message: e.message, finished: e.finished, error: e.error };
    if (e.finished && !e.error) void refreshDatasets().catch(() => undefined);
  });

  async function startDownload(input: ApiInput<'downloads.start'>): Promise<RequestProblem | null> {
    try {
      await client().call('downloads.start', input);
      downloads.value = [...(await client().call('downloads.list', {})).downloads].sort((a, b) => b.id - a.id);
      return null;
    } catch (err) {
      return problemOf(err, 'downloads.start', input.source === 'url' ? 'url' : input.source === 'model' ? 'repo' : 'tasks');
    }
  }

  async function control(action: 'downloads.pause' | 'downloads.resume' | 'downloads.cancel', id: number): Promise<RequestProblem | null> {
    try {
      await client().call(action, { id });
      return null;
    } catch (err) {
      return problemOf(err, action, 'id');
    }
  }

  async function addDataset(input: ApiInput<'datasets.add'>): Promise<RequestProblem | null> {
    try {
      const { dataset } = await client().call('datasets.add', input);
      datasets.value = [...datasets.value.filter((d) => d.id !== dataset.id), dataset];
      return null;
    } catch (err) {
      return problemOf(err, 'datasets.add', 'path');
    }
  }

  async function scan(id: number, count: boolean): Promise<RequestProblem | null> {
    scanning.value = { ...scanning.value, [id]: true };
    try {
      const { dataset } = await client().call('datasets.scan', { id, count });
      datasets.value = datasets.value.map((d) => (d.id === id ? dataset : d));
      return null;
    } catch (err) {
      return problemOf(err, 'datasets.scan', 'id');
    } finally {
      const { [id]: _done, ...rest } = scanning.value;
      scanning.value = rest;
    }
  }

  async function remove(id: number): Promise<RequestProblem | null> {
    try {
      await client().call('datasets.remove', { id });
      datasets.value = datasets.value.filter((d) => d.id !== id);
      return null;
    } catch (err) {
      return problemOf(err, 'datasets.remove', 'id');
    }
  }

  async function buildBuiltin(): Promise<RequestProblem | null> {
    build.value = { name: 'fashion-mnist', done: 0, total: 1, message: 'starting', finished: false, error: null };
    try {
      await client().call('datasets.buildBuiltin', { name: 'fashion-mnist' });
      return null;
    } catch (err) {
      const p = problemOf(err, 'datasets.buildBuiltin', 'name');
      // 409: a build is already under way (another window started it); its events keep the bar going.
      const status = (err as { body?: { status?: number } }).body?.status;
      if (status !== 409) build.value = { name: 'fashion-mnist', done: 0, total: 1, message: 'failed', finished: true, error: p.message };
      return p;
    }
  }

  return { downloads, datasets, tasks, models, build, loadError, loaded, scanning, load, refreshDatasets, startDownload, control, addDataset, scan, remove, buildBuiltin };
});
