/**
 * The Evaluations page: every run's evaluation rows (evals.table), merged live from `evaluation`
 * events, with the page's filter and sort kept here so they survive navigating away and back.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { TaskInfo } from '../../src-shared/api/contract';
import type { CheckpointInfo, EvaluationRow } from '../../src-shared/api/types';
import { client } from './client';
import { useEvents } from './events';
import { evalMatrix, mergeEvalRows } from './eval-matrix';
import { evaluationTable, runsOf, type EvalSortKey } from '../components/data/evaluation-table';

export const useEvaluationsStore = defineStore('evaluations', () => {
  const rows = shallowRef<EvaluationRow[]>([]);
  const checkpoints = shallowRef<CheckpointInfo[]>([]);
  const taskInfo = shallowRef<TaskInfo[]>([]);
  const loaded = ref(false);
  const loadError = ref<string | null>(null);

  const runFilter = ref<string[]>([]);
  const taskFilter = ref<string[]>([]);
  const sortKey = ref<EvalSortKey>('average');
  const sortDir = ref<'asc' | 'desc'>('desc');

  const matrix = computed(() => evalMatrix(rows.value, checkpoints.value));
  const runs = computed(() => runsOf(matrix.value));
  const table = computed(() => evaluationTable(matrix.value, { runIds: runFilter.value, tasks: taskFilter.value }, { key: sortKey.value, dir: sortDir.value }));
  const taskByKey = computed(() => new Map(taskInfo.value.map((t) => [t.key, t])));

  async function load(): Promise<void> {
    loadError.value = null;
    try {
      const [t, ts] = await Promise.all([client().call('evals.table', {}), client().call('tasks.list', {}).catch(() => ({ tasks: [] as TaskInfo[] }))]);
      rows.value = t.rows;
      checkpoints.value = t.checkpoints;
      taskInfo.value = ts.tasks;
      loaded.value = true;
    } catch (err) {
      loadError.value = err instanceof Error ? err.message : String(err);
    }
  }

  const events = useEvents();
  events.on('evaluation', (e) => { rows.value = mergeEvalRows(rows.value, e.rows); });
  events.on('checkpoint', (e) => {
    if (!checkpoints.value.some((c) => c.id === e.checkpoint.id)) checkpoints.value = [...checkpoints.value, e.checkpoint];
  });

  /** Clicking the sorted column flips it; a new column sorts metrics best-first and names A-Z. */
  function sortBy(key: EvalSortKey): void {
    if (sortKey.value === key) sortDir.value = sortDir.value === 'asc' ? 'desc' : 'asc';
    else {
      sortKey.value = key;
      sortDir.value = key === 'run' || key === 'epoch' || key === 'step' ? 'asc' : 'desc';
    }
  }

  return { rows, checkpoints, taskInfo, loaded, loadError, runFilter, taskFilter, sortKey, sortDir, matrix, runs, table, taskByKey, load, sortBy };
});
