/** Tick and tooltip labels for the x axis in each mode, and for y values. */
import { formatClock, formatDuration, formatNumber } from '../components/format';

export type XMode = 'step' | 'relative' | 'wall';

export const X_MODE_LABELS: Record<XMode, string> = { step: 'Step', relative: 'Relative time', wall: 'Wall time' };

/** Steps compactly (12k, 1.5M); relative ms as a duration; wall ms as a clock time. */
export function xTickLabel(value: number, mode: XMode): string {
  if (mode === 'relative') return formatDuration(value / 1000);
  if (mode === 'wall') return formatClock(value);
  const a = Math.abs(value);
  if (a >= 1e6) return `${formatNumber(value / 1e6, 3)}M`;
  if (a >= 1e4) return `${formatNumber(value / 1e3, 3)}k`;
  return formatNumber(Math.round(value * 100) / 100, 6);
}

export function yTickLabel(value: number): string {
  return formatNumber(value, 3);
}
