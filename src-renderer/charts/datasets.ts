/**
 * Shapes API series into what the line chart draws: per line, the smoothed curve and (when smoothing
 * is on) the raw curve faint behind it. Dataset options are plain data so this stays testable in
 * Node; MetricChart.vue hands them to Chart.js as they are.
 */
import { withAlpha } from './colors';

export interface XY { x: number; y: number | null }

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
  points: XY[];
  rawPoints: XY[];
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
  /** Chart.js draws lower `order` on top: smoothed lines 0, raw lines 1. */
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
    smoothed.push({
      label: l.spec.label, data: cleanPoints(l.points, o.logY), borderColor: l.spec.color, backgroundColor: l.spec.color,
      borderWidth: 1.5, borderDash: l.spec.dash, pointRadius: 0, pointHoverRadius: 3, order: 0, spanGaps: false, isRaw: false, lineId: id,
    });
    if (o.smoothing > 0 && l.rawPoints.length > 0) {
      const faint = withAlpha(l.spec.color, 0.22);
      raw.push({
        label: `${l.spec.label} (raw)`, data: cleanPoints(l.rawPoints, o.logY), borderColor: faint, backgroundColor: faint,
        borderWidth: 1, borderDash: l.spec.dash, pointRadius: 0, pointHoverRadius: 0, order: 1, spanGaps: false, isRaw: true, lineId: id,
      });
    }
  }
  return [...smoothed, ...raw];
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
