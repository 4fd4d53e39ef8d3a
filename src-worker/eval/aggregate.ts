/**
 * Summary scores over a checkpoint's results, as DataComp's aggregate_scores.py reports them: the plain
 * mean of main metrics, and group means (ImageNet, ImageNet dist. shifts, VTAB, Retrieval) shown only when
 * every task of the group has a main metric. Lines whose key is not in the task list are ignored, as
 * DataComp's evaluate.py ignores them; tasks without a scalar main metric never count.
 */
import { latestByKey, type TaskResultLine } from './results-file';
import type { TaskList } from './task-list';

export interface GroupScore {
  id: string;
  name: string;
  /** Mean of the group's main metrics; null until all of them are present. */
  value: number | null;
  /** Tasks of the group with a main metric in the results, out of the group's tasks that have one. */
  have: number;
  of: number;
  /** Keys of the group's tasks still without a result. */
  missing: string[];
}

export interface AggregateScores {
  /** Mean of the main metrics of every task in the results (null when none). */
  average: number | null;
  averageOver: number;
  groups: GroupScore[];
  /** DataComp's "Average": the mean over all its tasks with a scalar main metric (38), null until all are present. */
  datacompAverage: number | null;
  datacompHave: number;
  datacompOf: number;
}

const DATACOMP_GROUP = 'datacomp';

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

export function mainMetricsByKey(list: TaskList, lines: readonly TaskResultLine[]): Map<string, number> {
  const known = new Set(list.tasks.map((t) => t.key));
  const out = new Map<string, number>();
  for (const [key, line] of latestByKey(lines)) {
    const v = line.metrics.main_metric;
    if (known.has(key) && typeof v === 'number' && Number.isFinite(v)) out.set(key, v);
  }
  return out;
}

function groupScore(list: TaskList, scores: Map<string, number>, id: string, name: string, group: string): GroupScore {
  const members = list.tasks.filter((t) => t.groups.includes(group) && t.mainMetric !== null).map((t) => t.key);
  const present = members.filter((k) => scores.has(k));
  const missing = members.filter((k) => !scores.has(k));
  return {
    id,
    name,
    value: missing.length === 0 && present.length > 0 ? mean(present.map((k) => scores.get(k)!)) : null,
    have: present.length,
    of: members.length,
    missing,
  };
}

export function aggregateScores(list: TaskList, lines: readonly TaskResultLine[]): AggregateScores {
  const scores = mainMetricsByKey(list, lines);
  const values = [...scores.values()];
  const datacomp = groupScore(list, scores, DATACOMP_GROUP, 'Average', DATACOMP_GROUP);
  return {
    average: values.length > 0 ? mean(values) : null,
    averageOver: values.length,
    groups: list.aggregates.map((a) => groupScore(list, scores, a.id, a.name, a.group)),
    datacompAverage: datacomp.value,
    datacompHave: datacomp.have,
    datacompOf: datacomp.of,
  };
}
