/**
 * The runs table as CSV: one row per run with its bookkeeping, the config flattened to `config.*`
 * columns (the union over the exported runs, sorted), and `last.<key>` / `best.<key>` per metric.
 */
import type { Run } from '../store/runs';
import type { Store } from '../store/store';
import { metricSummaries, type MetricGoal, type MetricSummary } from '../metrics/summary';
import { csvChunks, type CsvOptions, type CsvValue } from '../../src-shared/csv';
import { flattenJson } from './flatten';

export interface RunsCsvOptions extends CsvOptions {
  /** Runs to export, in this order; all runs (newest first) when omitted. */
  runIds?: string[];
  goals?: Readonly<Record<string, MetricGoal>>;
}

const BASE_COLUMNS = [
  'id',
  'name',
  'status',
  'origin',
  'tags',
  'notes',
  'created_at',
  'started_at',
  'ended_at',
  'duration_s',
  'devices',
  'out_dir',
  'resumable',
  'error',
] as const;

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function baseCells(run: Run): CsvValue[] {
  const duration = run.startedAt !== null && run.endedAt !== null ? (run.endedAt - run.startedAt) / 1000 : null;
  return [
    run.id,
    run.name,
    run.status,
    run.origin,
    run.tags.join(';'),
    run.notes,
    iso(run.createdAt),
    iso(run.startedAt),
    iso(run.endedAt),
    duration,
    run.devices.join(';'),
    run.outDir,
    run.resumable,
    run.error,
  ];
}

export function runsCsv(store: Store, options: RunsCsvOptions = {}): Iterable<string> {
  const runs = options.runIds ? options.runIds.map((id) => store.runs.require(id)) : store.runs.list();
  const configs = runs.map((r) => flattenJson(r.config, 'config'));
  const summaries = runs.map((r) => new Map<string, MetricSummary>(metricSummaries(store, r.id, options.goals).map((s) => [s.key, s])));
  const configColumns = [...new Set(configs.flatMap((c) => [...c.keys()]))].sort();
  const metricKeys = [...new Set(summaries.flatMap((s) => [...s.keys()]))].sort();
  const header = [
    ...BASE_COLUMNS,
    ...configColumns,
    ...metricKeys.flatMap((k) => [`last.${k}`, `best.${k}`]),
  ];
  const rows = runs.map((run, i) => {
    const config = configs[i] as Map<string, CsvValue>;
    const metrics = summaries[i] as Map<string, MetricSummary>;
    return [
      ...baseCells(run),
      ...configColumns.map((c) => config.get(c)),
      ...metricKeys.flatMap((k) => {
        const s = metrics.get(k);
        return [s?.last, s?.best];
      }),
    ];
  });
  return csvChunks(header, rows, options);
}
