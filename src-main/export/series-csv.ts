/**
 * Metric series of chosen runs in long format: run_id, run_name, key, step, wall_time, value; one row
 * per live point (superseded points are left out), sorted by run, key, step. wall_time is in seconds
 * since the Unix epoch with millisecond precision, as TensorBoard's CSV export writes it.
 * Streams page by page: a few thousand points are in memory at a time, whatever the series length.
 */
import type { Store } from '../store/store';
import { csvChunks, type CsvOptions, type CsvValue } from '../../src-shared/csv';

export interface SeriesCsvOptions extends CsvOptions {
  runIds: string[];
  /** Only these keys; all keys of each run when omitted. */
  keys?: string[];
  /** Points read per query. */
  pageSize?: number;
}

export const SERIES_CSV_HEADER = ['run_id', 'run_name', 'key', 'step', 'wall_time', 'value'] as const;

function* seriesRows(store: Store, options: SeriesCsvOptions): Generator<CsvValue[]> {
  const pageSize = options.pageSize ?? 8192;
  const wanted = options.keys ? new Set(options.keys) : null;
  for (const runId of options.runIds) {
    const run = store.runs.require(runId);
    for (const series of store.metrics.listSeries(runId)) {
      if (wanted && !wanted.has(series.key)) continue;
      let after: number | null = null;
      for (;;) {
        const page = store.metrics.readPage(series.id, after, pageSize);
        const { steps, walls, values } = page.points;
        for (let i = 0; i < steps.length; i++) {
          yield [run.id, run.name, series.key, steps[i], (walls[i] as number) / 1000, values[i]];
        }
        if (page.nextAfterStep === null || steps.length === 0) break;
        after = page.nextAfterStep;
      }
    }
  }
}

export function seriesCsv(store: Store, options: SeriesCsvOptions): Iterable<string> {
  // Fail on an unknown run before the first byte is written, not halfway through the file.
  for (const id of options.runIds) store.runs.require(id);
  return csvChunks(SERIES_CSV_HEADER, seriesRows(store, options), options);
}
