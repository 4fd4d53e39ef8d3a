/**
 * The evaluation tasks as a user needs to see them (`clipwb eval --list-tasks`, the app's task list):
 * which run here, which do not and why, where each one's data comes from and how to get it.
 */
import type { TaskList, TaskSpec } from './task-list';

export interface TaskListingRow {
  key: string;
  /** Short name accepted by --tasks (the metric prefix). */
  short: string;
  name: string;
  type: TaskSpec['type'];
  mainMetric: string | null;
  runs: boolean;
  /** Why it does not run (absent when it runs). */
  reason?: string;
  /** Where the data comes from, in words. */
  source: string;
  /** Folder under the eval data folder; null for built-in tasks. */
  dir: string | null;
  /** How to get the data; null for built-in tasks. */
  download: string | null;
  datacomp: boolean;
  size?: number;
}

export interface TaskListing {
  rows: TaskListingRow[];
  summary: { datacomp: number; datacompScalar: number; datacompRuns: number; total: number; runs: number };
}

function sourceOf(t: TaskSpec): Pick<TaskListingRow, 'source' | 'dir' | 'download'> {
  const get = (t.metricPrefix === t.key ? t.key : t.metricPrefix);
  switch (t.source.kind) {
    case 'builtin':
      return { source: 'built in', dir: null, download: null };
    case 'wds':
      return { source: `webdataset shards, hub dataset ${t.source.hfRepo}`, dir: t.source.dir, download: `clipwb data download evalsets --tasks ${get}` };
    case 'hf_dataset':
      return t.type === 'retrieval'
        ? { source: `Parquet, hub dataset ${t.source.hfRepo}, converted to the retrieval layout`, dir: t.source.dir, download: `clipwb data download evalsets --tasks ${get}` }
        : { source: `hub dataset ${t.source.hfRepo}`, dir: t.source.dir, download: null };
  }
}

export function taskListing(list: TaskList): TaskListing {
  const rows = list.tasks.map((t): TaskListingRow => ({
    key: t.key,
    short: t.metricPrefix,
    name: t.name,
    type: t.type,
    mainMetric: t.mainMetric,
    runs: t.supported,
    ...(t.supported ? {} : { reason: t.reason ?? 'not supported' }),
    ...sourceOf(t),
    ...(t.supported ? {} : { download: null }),
    datacomp: t.groups.includes('datacomp'),
    ...(t.size !== undefined ? { size: t.size } : {}),
  }));
  const dc = rows.filter((r) => r.datacomp);
  return {
    rows,
    summary: {
      datacomp: dc.length,
      datacompScalar: dc.filter((r) => r.mainMetric !== null).length,
      datacompRuns: dc.filter((r) => r.runs).length,
      total: rows.length,
      runs: rows.filter((r) => r.runs).length,
    },
  };
}

export function formatTaskListing(l: TaskListing): string {
  const s = l.summary;
  const lines = [
    `DataComp's evaluation suite: ${s.datacomp} tasks (${s.datacompScalar} with a scalar main metric, which DataComp averages); ` +
      `${s.datacompRuns} run here, ${s.datacomp - s.datacompRuns} do not (reasons below). Plus ${s.total - s.datacomp} built-in task${s.total - s.datacomp === 1 ? '' : 's'}.`,
    '',
  ];
  const w = Math.max(...l.rows.map((r) => r.key.length));
  const n = Math.max(...l.rows.map((r) => r.short.length));
  lines.push(`${'task'.padEnd(w)}  ${'short'.padEnd(n)}  ${'runs'.padEnd(4)}  ${'main metric'.padEnd(22)}  data`);
  for (const r of l.rows) {
    const data = r.dir === null ? 'built in' : r.download ? `${r.dir}/  (${r.download})` : `${r.dir}/`;
    lines.push(`${r.key.padEnd(w)}  ${r.short.padEnd(n)}  ${(r.runs ? 'yes' : 'no').padEnd(4)}  ${(r.mainMetric ?? '-').padEnd(22)}  ${data}`);
  }
  const not = l.rows.filter((r) => !r.runs);
  if (not.length > 0) {
    lines.push('', 'Not run here:');
    for (const r of not) lines.push(`  ${r.key}: ${r.reason}`);
  }
  lines.push('', 'Use a key, a short name or a group (all, datacomp, vtab, retrieval, imagenet, dist_shift, ...) with --tasks.');
  return lines.join('\n');
}
