/** Metric points as they arrive from workers: their shape, their validation, and merging sorted runs. */
import { StoreError } from './errors';
import { emptyColumns, type PointColumns } from './metric-chunks';

export const METRIC_KEY_MAX_LENGTH = 200;

export interface MetricPointInput {
  key: string;
  /** Non-negative integer (optimizer step, or any monotone counter the run uses as x). */
  step: number;
  /** Any number; NaN and ±Infinity are kept as such. */
  value: number;
  /** Milliseconds since the Unix epoch. */
  wallTime: number;
}

export function validateMetricPoints(points: readonly MetricPointInput[]): void {
  if (!Array.isArray(points)) throw new StoreError('INVALID_INPUT', 'metric points: expected an array of points');
  for (let i = 0; i < points.length; i++) {
    const p = points[i];
    const bad = (field: string, why: string): never => {
      throw new StoreError('INVALID_INPUT', `metric points[${i}].${field}: ${why}`);
    };
    if (typeof p !== 'object' || p === null) bad('(point)', 'expected an object { key, step, value, wallTime }');
    const point = p as MetricPointInput;
    if (typeof point.key !== 'string' || point.key.length === 0 || point.key.length > METRIC_KEY_MAX_LENGTH) {
      bad('key', `expected a non-empty string of at most ${METRIC_KEY_MAX_LENGTH} characters`);
    }
    if (!Number.isSafeInteger(point.step) || point.step < 0) {
      bad('step', `expected a non-negative integer, got ${String(point.step)}`);
    }
    if (typeof point.value !== 'number') bad('value', `expected a number, got ${typeof point.value}`);
    if (typeof point.wallTime !== 'number' || !Number.isFinite(point.wallTime) || point.wallTime < 0) {
      bad('wallTime', `expected milliseconds since the Unix epoch, got ${String(point.wallTime)}`);
    }
  }
}

/** Inserts `add` (sorted by step) into `base` (sorted), after any points of equal step. */
export function mergeSorted(base: PointColumns, add: PointColumns): PointColumns {
  const out = emptyColumns(base.steps.length + add.steps.length);
  let i = 0;
  let j = 0;
  let k = 0;
  const take = (src: PointColumns, idx: number): void => {
    out.steps[k] = src.steps[idx] as number;
    out.values[k] = src.values[idx] as number;
    out.walls[k] = src.walls[idx] as number;
    out.segments[k] = src.segments[idx] as number;
    k++;
  };
  while (i < base.steps.length || j < add.steps.length) {
    if (j >= add.steps.length || (i < base.steps.length && (base.steps[i] as number) <= (add.steps[j] as number))) {
      take(base, i++);
    } else {
      take(add, j++);
    }
  }
  return out;
}
