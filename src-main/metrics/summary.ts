/**
 * Metric keys of a run with their last and best values, read from the per-series summary the store
 * keeps up to date on ingestion (no scan of points), for run tables and exports.
 */
import type { Store } from '../store/store';
import type { SeriesInfo } from '../store/metrics-repo';

/** min: lower is better (losses); max: higher is better (accuracy, recall, throughput); none: no "best". */
export type MetricGoal = 'min' | 'max' | 'none';

const HIGHER_IS_BETTER = /(acc|accuracy|recall|precision|auc|f1|map|score|top-?\d|samples[_/ ]?per[_/ ]?s|samples\/s|throughput|ips)/i;
const NO_BEST = /(^|[/._-])(lr|lr_tau|learning_rate|temperature|tau|logit_scale|gamma|epoch|step|rho|weight_decay|wd)$/i;

/** Guesses the goal from the key; callers may override per key. */
export function metricGoal(key: string): MetricGoal {
  if (NO_BEST.test(key)) return 'none';
  if (HIGHER_IS_BETTER.test(key)) return 'max';
  return 'min';
}

export interface MetricSummary {
  key: string;
  count: number;
  lastStep: number | null;
  last: number | null;
  /** Milliseconds since the Unix epoch. */
  lastWall: number | null;
  min: number | null;
  minStep: number | null;
  max: number | null;
  maxStep: number | null;
  goal: MetricGoal;
  /** min or max by goal, over finite values; null when the goal is none or no value is finite. */
  best: number | null;
  bestStep: number | null;
}

function toSummary(s: SeriesInfo, goals: Readonly<Record<string, MetricGoal>>): MetricSummary {
  const goal = goals[s.key] ?? metricGoal(s.key);
  const best = goal === 'min' ? s.minValue : goal === 'max' ? s.maxValue : null;
  const bestStep = goal === 'min' ? s.minStep : goal === 'max' ? s.maxStep : null;
  return {
    key: s.key,
    count: s.pointCount,
    lastStep: s.lastStep,
    last: s.lastValue,
    lastWall: s.lastWall,
    min: s.minValue,
    minStep: s.minStep,
    max: s.maxValue,
    maxStep: s.maxStep,
    goal,
    best,
    bestStep,
  };
}

export function listMetricKeys(store: Store, runId: string): string[] {
  return store.metrics
    .listSeries(runId)
    .filter((s) => s.pointCount > 0)
    .map((s) => s.key);
}

/** Sorted by key; series left empty by a supersede are omitted. */
export function metricSummaries(
  store: Store,
  runId: string,
  goals: Readonly<Record<string, MetricGoal>> = {},
): MetricSummary[] {
  return store.metrics
    .listSeries(runId)
    .filter((s) => s.pointCount > 0)
    .map((s) => toSummary(s, goals));
}
