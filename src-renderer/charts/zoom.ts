/**
 * Drag-to-zoom: a horizontal drag on a chart selects an x range; the chart then asks the API for that
 * step range at full resolution (so zooming reveals detail the decimated overview hid). Double-click
 * resets. Pure: pixel→value mapping is passed in by the chart.
 */
import type { XMode } from './axis';

export interface XRange { min: number; max: number }
export interface StepRange { fromStep: number; toStep: number }

/** A drag shorter than this is a click, not a zoom. */
export const MIN_DRAG_PX = 6;

export function dragToRange(startPx: number, endPx: number, toValue: (px: number) => number, minDragPx = MIN_DRAG_PX): XRange | null {
  if (!Number.isFinite(startPx) || !Number.isFinite(endPx) || Math.abs(endPx - startPx) < minDragPx) return null;
  const a = toValue(Math.min(startPx, endPx));
  const b = toValue(Math.max(startPx, endPx));
  if (!Number.isFinite(a) || !Number.isFinite(b) || a === b) return null;
  return { min: Math.min(a, b), max: Math.max(a, b) };
}

/**
 * The step range that covers an x range. On the step axis it is the range itself; on time axes it
 * comes from the steps of the points drawn, widened by one point each side so the edges stay drawn.
 * Null when the points carry no step (the chart then zooms visually only).
 */
export function stepRangeFor(range: XRange, mode: XMode, points: readonly { x: number; step?: number }[]): StepRange | null {
  if (mode === 'step') {
    const fromStep = Math.max(0, Math.floor(range.min));
    const toStep = Math.max(fromStep, Math.ceil(range.max));
    return { fromStep, toStep };
  }
  let lo = -1;
  let hi = -1;
  for (let i = 0; i < points.length; i++) {
    const x = points[i]!.x;
    if (x >= range.min && lo < 0) lo = i;
    if (x <= range.max) hi = i;
  }
  if (lo < 0 || hi < 0) return null;
  lo = Math.max(0, lo - 1);
  hi = Math.min(points.length - 1, hi + 1);
  let from = Infinity;
  let to = -Infinity;
  for (let i = lo; i <= hi; i++) {
    const s = points[i]!.step;
    if (s === undefined || !Number.isFinite(s)) continue;
    from = Math.min(from, s);
    to = Math.max(to, s);
  }
  if (!Number.isFinite(from) || !Number.isFinite(to)) return null;
  return { fromStep: Math.max(0, Math.floor(from)), toStep: Math.ceil(to) };
}
