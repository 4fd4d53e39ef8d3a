/**
 * The runs table's filters and sort, kept while navigating away and back, and its hidden columns,
 * remembered across sessions (localStorage).
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { DEFAULT_HIDDEN_COLUMNS, EMPTY_FILTER, REQUIRED_COLUMNS, type RunFilter, type SortDir } from './runs-table';
import { storage } from './chart-settings';

export const HIDDEN_COLUMNS_KEY = 'clipwb.runs.hiddenColumns';

/** The stored choice, or the defaults when there is none or it is not a list of strings. */
export function parseHiddenColumns(raw: string | null): string[] {
  if (raw === null) return [...DEFAULT_HIDDEN_COLUMNS];
  try {
    const v = JSON.parse(raw) as unknown;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.filter((x) => !REQUIRED_COLUMNS.includes(x));
  } catch {
    /* a damaged entry: fall back to the defaults */
  }
  return [...DEFAULT_HIDDEN_COLUMNS];
}

export const useRunsView = defineStore('runs-view', () => {
  const filter = ref<RunFilter>({ ...EMPTY_FILTER });
  const sortBy = ref<string>('created');
  const sortDir = ref<SortDir>('desc');
  const hiddenColumns = ref<Set<string>>(new Set(parseHiddenColumns(storage()?.getItem(HIDDEN_COLUMNS_KEY) ?? null)));

  function setColumnHidden(id: string, hide: boolean): void {
    if (REQUIRED_COLUMNS.includes(id)) return;
    const next = new Set(hiddenColumns.value);
    if (hide) next.add(id);
    else next.delete(id);
    hiddenColumns.value = next;
    storage()?.setItem(HIDDEN_COLUMNS_KEY, JSON.stringify([...next]));
  }

  /** Clicking the sorted column flips the direction; a new column starts descending for numbers (best/latest first). */
  function sortOn(column: string, numeric: boolean): void {
    if (sortBy.value === column) sortDir.value = sortDir.value === 'asc' ? 'desc' : 'asc';
    else {
      sortBy.value = column;
      sortDir.value = numeric ? 'desc' : 'asc';
    }
  }

  function reset(): void {
    filter.value = { ...EMPTY_FILTER };
  }

  return { filter, sortBy, sortDir, sortOn, reset, hiddenColumns, setColumnHidden };
});
