/**
 * All runs the app knows, kept current by `run` events (one list for the whole app: the runs table,
 * the dashboard and the shell read the same objects), plus the selection for comparing.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowReactive } from 'vue';
import type { RunSummary } from '../../src-shared/api/types';
import { client } from './client';
import { useEvents } from './events';
import { ACTIVE_STATUSES } from './runs-table';

export const useRuns = defineStore('runs', () => {
  const byId = shallowReactive(new Map<string, RunSummary>());
  const loaded = ref(false);
  const loading = ref(false);
  const loadError = ref<string | null>(null);
  const selected = shallowReactive(new Set<string>());

  function upsert(run: RunSummary): void {
    byId.set(run.id, run);
  }

  async function load(): Promise<void> {
    loading.value = true;
    try {
      const { runs } = await client().call('runs.list', { limit: 10_000 });
      byId.clear();
      for (const r of runs) byId.set(r.id, r);
      loadError.value = null;
      loaded.value = true;
    } catch (err) {
      loadError.value = err instanceof Error ? err.message : String(err);
    } finally {
      loading.value = false;
    }
  }

  async function ensureLoaded(): Promise<void> {
    if (!loaded.value && !loading.value) await load();
  }

  /** Newest first. */
  const list = computed(() => [...byId.values()].sort((a, b) => b.createdAt - a.createdAt));
  const active = computed(() => list.value.filter((r) => ACTIVE_STATUSES.includes(r.status)));

  async function update(id: string, patch: { name?: string; tags?: string[]; notes?: string }): Promise<RunSummary> {
    const { run } = await client().call('runs.update', { id, ...patch });
    upsert(run);
    return run;
  }

  async function cancel(id: string): Promise<void> { await client().call('runs.cancel', { id }); }
  async function pause(id: string): Promise<void> { await client().call('runs.pause', { id }); }
  async function resume(id: string): Promise<void> {
    const { run } = await client().call('runs.resume', { id });
    upsert(run);
  }

  function toggleSelected(id: string, on?: boolean): void {
    const want = on ?? !selected.has(id);
    if (want) selected.add(id);
    else selected.delete(id);
  }

  useEvents().on('run', (e) => upsert(e.run));

  return { byId, loaded, loading, loadError, selected, list, active, load, ensureLoaded, upsert, update, cancel, pause, resume, toggleSelected };
});
