/**
 * Per-series summary kept in `metric_series` and updated as points arrive: count, first/last point,
 * min/max over finite values. "Last" is the point with the largest step; among equal steps, the one
 * that arrived last.
 */
import type { PointColumns } from './metric-chunks';

export interface SeriesSummary {
  pointCount: number;
  firstStep: number | null;
  /** Earliest wall time (ms) of any point: the origin of the "relative" x axis. */
  firstWall: number | null;
  lastStep: number | null;
  lastValue: number | null;
  lastWall: number | null;
  /** Over finite values only; null when the series has none. */
  minValue: number | null;
  minStep: number | null;
  maxValue: number | null;
  maxStep: number | null;
}

export function emptySummary(): SeriesSummary {
  return {
    pointCount: 0,
    firstStep: null,
    firstWall: null,
    lastStep: null,
    lastValue: null,
    lastWall: null,
    minValue: null,
    minStep: null,
    maxValue: null,
    maxStep: null,
  };
}

/** Folds one point into the summary, in arrival order. */
export function addToSummary(s: SeriesSummary, step: number, value: number, wall: number): void {
  s.pointCount += 1;
  if (s.firstStep === null || step < s.firstStep) s.firstStep = step;
  if (s.firstWall === null || wall < s.firstWall) s.firstWall = wall;
  if (s.lastStep === null || step >= s.lastStep) {
    s.lastStep = step;
    s.lastValue = value;
    s.lastWall = wall;
  }
  if (Number.isFinite(value)) {
    if (s.minValue === null || value < s.minValue) {
      s.minValue = value;
      s.minStep = step;
    }
    if (s.maxValue === null || value > s.maxValue) {
      s.maxValue = value;
      s.maxStep = step;
    }
  }
}

/** Summary of columns already sorted by step in arrival order. */
export function summarizeColumns(columns: PointColumns): SeriesSummary {
  const s = emptySummary();
  const n = columns.steps.length;
  for (let i = 0; i < n; i++) {
    addToSummary(s, columns.steps[i] as number, columns.values[i] as number, columns.walls[i] as number);
  }
  return s;
}
