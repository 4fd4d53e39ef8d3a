/**
 * The read path for charts: one metric of one run, for the visible step range, as about `maxPoints`
 * points. Smoothing runs first, on every point of the range at full resolution, then the result is
 * decimated; with smoothing on, the raw series is decimated separately for the faint line behind.
 *
 * Zoom-consistent smoothing: when the range starts after the series does, the EMA is first run over the
 * points just before it (smoothingWarmupLength(w) of them, enough that the omitted history weighs under
 * 1e-4), so a zoomed view shows the same smoothed values as the full view instead of restarting the
 * debiasing at the left edge of the screen.
 */
import { z } from 'zod';
import type { Store } from '../store/store';
import { parseInput } from '../store/validate';
import type { PointColumns } from '../store/metric-chunks';
import { DECIMATION_METHODS, decimateIndices, type DecimationMethod } from '../../src-shared/metrics/decimate';
import { smoothEma, smoothingWarmupLength } from '../../src-shared/metrics/smoothing';

export const SERIES_X_AXES = ['step', 'wall', 'relative'] as const;
/** step; wall = ms since the Unix epoch; relative = ms since the series' first point. */
export type SeriesXAxis = (typeof SERIES_X_AXES)[number];

const querySchema = z
  .object({
    runId: z.string().min(1),
    key: z.string().min(1),
    fromStep: z.number().int().nonnegative().optional(),
    toStep: z.number().int().nonnegative().optional(),
    maxPoints: z.number().int().min(2).max(1_000_000),
    x: z.enum(SERIES_X_AXES),
    smoothing: z.number().min(0).lt(1).optional(),
    method: z.enum(DECIMATION_METHODS).optional(),
    includeRaw: z.boolean().optional(),
  })
  .strict()
  .refine((q) => q.fromStep === undefined || q.toStep === undefined || q.fromStep <= q.toStep, {
    message: 'fromStep must not exceed toStep',
    path: ['fromStep'],
  });
export type SeriesQuery = z.input<typeof querySchema>;

export interface SeriesPoint {
  x: number;
  /** Smoothed value (the raw one when smoothing is 0). May be NaN or ±Infinity, as logged: JSON transports must encode them. */
  y: number;
  /** The raw value at this same point. */
  raw: number;
  step: number;
  /** Wall time of the point (ms since the Unix epoch), for tooltips that show every x at once. */
  wall: number;
}

export interface SeriesResult {
  runId: string;
  key: string;
  x: SeriesXAxis;
  method: DecimationMethod;
  smoothing: number;
  /** Smoothed (when smoothing > 0) and decimated. */
  points: SeriesPoint[];
  /**
   * The raw series decimated on its own (its spikes differ from the smoothed line's), for the faint
   * line behind; null when smoothing is 0 or includeRaw is false.
   */
  rawLine: SeriesPoint[] | null;
  /** Points of the series inside the requested range, before decimation. */
  pointsInRange: number;
  /** The whole series' extent, for the chart's zoom-out bounds. */
  firstStep: number | null;
  lastStep: number | null;
  /** Wall time (ms) that `relative` x counts from. */
  relativeOrigin: number | null;
}

function toPoints(
  xs: Float64Array,
  ys: Float64Array,
  raw: Float64Array,
  steps: Float64Array,
  walls: Float64Array,
  indices: readonly number[],
): SeriesPoint[] {
  const out: SeriesPoint[] = new Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k] as number;
    out[k] = { x: xs[i] as number, y: ys[i] as number, raw: raw[i] as number, step: steps[i] as number, wall: walls[i] ?? NaN };
  }
  return out;
}

function xColumn(points: PointColumns, axis: SeriesXAxis, origin: number): Float64Array {
  if (axis === 'step') return points.steps;
  if (axis === 'wall') return points.walls;
  const out = new Float64Array(points.walls.length);
  for (let i = 0; i < out.length; i++) out[i] = (points.walls[i] as number) - origin;
  return out;
}

export function readSeries(store: Store, query: SeriesQuery): SeriesResult {
  const q = parseInput(querySchema, query, 'series query');
  const method = q.method ?? 'lttb';
  const smoothing = q.smoothing ?? 0;
  const series = store.metrics.getSeries(q.runId, q.key);
  const base = {
    runId: q.runId,
    key: q.key,
    x: q.x,
    method,
    smoothing,
    firstStep: series?.firstStep ?? null,
    lastStep: series?.lastStep ?? null,
    relativeOrigin: series?.firstWall ?? null,
  };
  if (!series || series.pointCount === 0) return { ...base, points: [], rawLine: null, pointsInRange: 0 };

  const range = store.metrics.readRange(series.id, q.fromStep, q.toStep, { walls: true });
  const n = range.steps.length;
  const xs = xColumn(range, q.x, series.firstWall ?? 0);

  let ys = range.values;
  if (smoothing > 0 && n > 0) {
    const startsLate = q.fromStep !== undefined && series.firstStep !== null && q.fromStep > series.firstStep;
    const warmup = startsLate
      ? store.metrics.readBefore(series.id, q.fromStep as number, smoothingWarmupLength(smoothing), {})
      : null;
    if (warmup && warmup.values.length > 0) {
      const joined = new Float64Array(warmup.values.length + n);
      joined.set(warmup.values);
      joined.set(range.values, warmup.values.length);
      ys = smoothEma(joined, smoothing).subarray(warmup.values.length);
    } else {
      ys = smoothEma(range.values, smoothing);
    }
  }
  const values = range.values;
  const points = toPoints(xs, ys, values, range.steps, range.walls, decimateIndices(method, xs, ys, q.maxPoints));
  const wantRaw = smoothing > 0 && (q.includeRaw ?? true);
  const rawLine = wantRaw ? toPoints(xs, values, values, range.steps, range.walls, decimateIndices(method, xs, values, q.maxPoints)) : null;
  return { ...base, points, rawLine, pointsInRange: n };
}
