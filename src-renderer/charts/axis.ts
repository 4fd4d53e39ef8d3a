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

/**
 * A y tick label exact enough to tell the axis's ticks apart: a logit scale between 14.300 and 14.400
 * must not print "14.4" four times. Ticks in the ordinary range print with the decimals the finest
 * tick needs ("14.325"); very small or large ones with as many significant digits as needed.
 */
export function yTickLabel(value: number, allTicks: readonly number[] = []): string {
  const ordinary = (t: number) => t === 0 || (Math.abs(t) >= 1e-3 && Math.abs(t) < 1e6);
  if (allTicks.length > 1 && allTicks.every(ordinary) && ordinary(value)) {
    let decimals = 0;
    for (const t of allTicks) {
      let d = 0;
      while (d < 8 && Math.abs(Number(t.toFixed(d)) - t) > 1e-9 * Math.max(1, Math.abs(t))) d++;
      decimals = Math.max(decimals, d);
    }
    return value.toFixed(decimals);
  }
  for (let digits = 3; digits <= 8; digits++) {
    const labels = allTicks.map((t) => formatNumber(t, digits));
    if (new Set(labels).size === labels.length) return formatNumber(value, digits);
  }
  return formatNumber(value, 8);
}

/**
 * Tick labels on a log axis. Chart.js puts a tick at every 1..9 x 10^n, which crowds and overlaps
 * once the range spans a decade or more. Over two or more decades only powers of ten are labelled;
 * over one to two decades, 1, 2 and 5 of each decade; within one decade every tick. Unlabelled ticks
 * keep their grid line (an empty label).
 */
export function logTickLabel(value: number, allTicks: readonly number[]): string {
  if (!(value > 0)) return '';
  const pos = allTicks.filter((t) => t > 0);
  const decades = pos.length > 1 ? Math.log10(Math.max(...pos) / Math.min(...pos)) : 0;
  const exp = Math.floor(Math.log10(value) + 1e-9);
  const mantissa = Math.round((value / 10 ** exp) * 1000) / 1000;
  if (decades >= 2 && mantissa !== 1) return '';
  if (decades >= 1 && decades < 2 && ![1, 2, 5].includes(mantissa)) return '';
  return yTickLabel(value);
}

/** Axis title of the x axis in each mode. */
export function xAxisTitle(mode: XMode): string {
  return mode === 'step' ? 'Step' : mode === 'relative' ? 'Relative time (since the first point)' : 'Wall time';
}
