/**
 * Shapes API series into what the line chart draws: per line, the smoothed curve and (when smoothing
 * is on) the raw curve faint behind it. Dataset options are plain data so this stays testable in
 * Node; MetricChart.vue hands them to Chart.js as they are.
 */
import { withAlpha } from './colors';

export interface XY { x: number; y: number | null }
/** A point as the API sends it: the smoothed y, and (optionally) its raw value, step and wall time. */
export interface SeriesXY extends XY { raw?: number | null; step?: number; wall?: number | null }

export interface LineSpec {
  runId: string;
  key: string;
  /** Legend text: the key's label in a single-run chart, the run's name in an overlay. */
  label: string;
  color: string;
  dash: number[];
}

/** A run as a chart grid needs it; colorIndex keeps a run's colour stable while others come and go. */
export interface ChartRun { id: string; name: string; metricKeys: readonly string[]; live: boolean; colorIndex: number }

export interface LoadedLine {
  spec: LineSpec;
  points: SeriesXY[];
  rawPoints: SeriesXY[];
  /** Wall time (ms) that relative time counts from; null/absent when unknown. */
  relativeOrigin?: number | null;
}

/** The subset of Chart.js line dataset options we use. */
export interface LineDataset {
  label: string;
  data: XY[];
  borderColor: string;
  backgroundColor: string;
  borderWidth: number;
  borderDash: number[];
  pointRadius: number;
  pointHoverRadius: number;
  /** Chart.js draws lower `order` on top: dashed smoothed lines -1, solid ones 0, raw lines 1. */
  order: number;
  spanGaps: boolean;
  /** Not a Chart.js option: lets tooltips and legends skip the raw lines. */
  isRaw: boolean;
  lineId: string;
}

export interface ShapeOptions {
  logY: boolean;
  smoothing: number;
}

/** Non-finite values, and values a log axis cannot place (≤ 0), become gaps instead of breaking the scale. */
export function cleanPoints(points: readonly { x: number; y: number | null }[], logY: boolean): XY[] {
  const out: XY[] = new Array(points.length);
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    const y = p.y;
    out[i] = { x: p.x, y: y === null || !Number.isFinite(y) || (logY && y <= 0) ? null : y };
  }
  return out;
}

export const lineId = (s: Pick<LineSpec, 'runId' | 'key'>): string => `${s.runId}\u0000${s.key}`;

export function toDatasets(lines: readonly LoadedLine[], o: ShapeOptions): LineDataset[] {
  const smoothed: LineDataset[] = [];
  const raw: LineDataset[] = [];
  for (const l of lines) {
    const id = lineId(l.spec);
    const data = cleanPoints(l.points, o.logY);
    // A line needs two points; a lone one (every run's first evaluation) gets a marker instead.
    const lone = finiteCount(data) === 1;
    smoothed.push({
      label: l.spec.label, data, borderColor: l.spec.color, backgroundColor: l.spec.color,
      // Dashed lines on top of solid ones: two keys with the same values (loss and contrastive_loss
      // without distillation) then show both colours instead of the solid line hiding the dashed one.
      borderWidth: 1.5, borderDash: l.spec.dash, pointRadius: lone ? 4 : 0, pointHoverRadius: lone ? 5 : 3, order: l.spec.dash.length > 0 ? -1 : 0, spanGaps: false, isRaw: false, lineId: id,
    });
    if (o.smoothing > 0 && l.rawPoints.length > 0 && !lone) {
      const faint = withAlpha(l.spec.color, 0.22);
      raw.push({
        label: `${l.spec.label} (raw)`, data: cleanPoints(l.rawPoints, o.logY), borderColor: faint, backgroundColor: faint,
        borderWidth: 1, borderDash: l.spec.dash, pointRadius: 0, pointHoverRadius: 0, order: 1, spanGaps: false, isRaw: true, lineId: id,
      });
    }
  }
  return [...smoothed, ...raw];
}

function finiteCount(points: readonly XY[]): number {
  let n = 0;
  for (const p of points) if (p.y !== null) n++;
  return n;
}

/**
 * The latest raw (unsmoothed) value of a line, as TensorBoard and W&B legends show it: the last
 * finite raw point when the raw line was fetched, else the raw value carried by the last smoothed
 * point, else its y (smoothing off: y is raw).
 */
export function latestRaw(l: Pick<LoadedLine, 'points' | 'rawPoints'>): number | null {
  for (let i = l.rawPoints.length - 1; i >= 0; i--) {
    const y = l.rawPoints[i]!.y;
    if (y !== null && Number.isFinite(y)) return y;
  }
  for (let i = l.points.length - 1; i >= 0; i--) {
    const p = l.points[i]!;
    const v = p.raw !== undefined ? p.raw : p.y;
    if (v !== null && v !== undefined && Number.isFinite(v)) return v;
  }
  return null;
}

/** Index of the point whose x is nearest to `x` (points sorted by x); -1 when there are none. */
export function nearestIndex(points: readonly { x: number }[], x: number): number {
  if (points.length === 0) return -1;
  let lo = 0;
  let hi = points.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid]!.x < x) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(points[lo - 1]!.x - x) <= Math.abs(points[lo]!.x - x)) return lo - 1;
  return lo;
}

export interface TooltipRow { id: string; label: string; color: string; dash: number[]; smoothed: number | null; raw: number | null; step: number | null }
export interface TooltipModel { step: number | null; relativeMs: number | null; wallMs: number | null; rows: TooltipRow[] }

/**
 * What the hover tooltip shows at x: for every visible line, its point nearest to x with smoothed and
 * raw values; the header's step, relative and wall time come from the point nearest to x overall.
 * Lines whose points end (or start) more than `maxDx` before (after) x are left out.
 */
export function tooltipAt(lines: readonly LoadedLine[], x: number, maxDx = Infinity): TooltipModel | null {
  const rows: TooltipRow[] = [];
  let best: { dx: number; p: SeriesXY; origin: number | null } | null = null;
  for (const l of lines) {
    const i = nearestIndex(l.points, x);
    if (i < 0) continue;
    // Only a line that does not reach x (it ended earlier or starts later) is left out: sparse lines
    // (a few evaluations) still show their nearest point, as TensorBoard does.
    if (x < l.points[0]!.x - maxDx || x > l.points[l.points.length - 1]!.x + maxDx) continue;
    const p = l.points[i]!;
    const dx = Math.abs(p.x - x);
    const raw = p.raw !== undefined ? p.raw : p.y;
    rows.push({ id: lineId(l.spec), label: l.spec.label, color: l.spec.color, dash: l.spec.dash, smoothed: p.y, raw: raw ?? null, step: p.step ?? null });
    if (!best || dx < best.dx) best = { dx, p, origin: l.relativeOrigin ?? null };
  }
  if (!best) return null;
  const wall = best.p.wall ?? null;
  return {
    step: best.p.step ?? null,
    wallMs: wall,
    relativeMs: wall !== null && best.origin !== null ? wall - best.origin : null,
    rows,
  };
}

/** Points actually handed to the chart: the figure that must stay near the pixel width, whatever the run length. */
export function drawnPointCount(datasets: readonly LineDataset[]): number {
  let n = 0;
  for (const d of datasets) n += d.data.length;
  return n;
}

/** How many points to ask the API for: about one per pixel of plot width, within the API's bounds. */
export function maxPointsFor(widthPx: number, pointsPerPixel = 1): number {
  const n = Math.round(Math.max(0, widthPx) * pointsPerPixel);
  return Math.min(10_000, Math.max(64, n));
}
