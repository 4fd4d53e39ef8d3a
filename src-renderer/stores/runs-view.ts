/** The runs table's filters and sort, kept while navigating away and back. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { EMPTY_FILTER, type RunFilter, type SortDir } from './runs-table';

export const useRunsView = defineStore('runs-view', () => {
  const filter = ref<RunFilter>({ ...EMPTY_FILTER });
  const sortBy = ref<string>('created');
  const sortDir = ref<SortDir>('desc');

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

  return { filter, sortBy, sortDir, sortOn, reset };
});
