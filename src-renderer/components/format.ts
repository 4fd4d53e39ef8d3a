/**
 * Display formatting shared by every page (UI engineer 2's pages too): sizes, durations, ETAs, metric
 * values, timestamps. Pure functions, no DOM, so they are unit-tested in Node. Missing values render
 * as an em dash everywhere, so a blank cell never hides a bug.
 */

export const MISSING = '—';

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** 1536 → "1.5 KiB". Binary units, as nvidia-smi and file managers on Linux report. */
export function formatBytes(bytes: number | null | undefined, digits = 1): string {
  if (bytes == null || !Number.isFinite(bytes)) return MISSING;
  const sign = bytes < 0 ? '-' : '';
  let v = Math.abs(bytes);
  let unit = 0;
  while (v >= 1024 && unit < BINARY_UNITS.length - 1) {
    v /= 1024;
    unit++;
  }
  return `${sign}${unit === 0 ? String(Math.round(v)) : v.toFixed(digits)} ${BINARY_UNITS[unit]}`;
}

/** nvidia-smi reports MiB; 40536 → "39.6 GiB", 512 → "512 MiB". */
export function formatMiB(mib: number | null | undefined): string {
  if (mib == null || !Number.isFinite(mib)) return MISSING;
  return formatBytes(mib * 1024 * 1024);
}

/** Bytes per second as "12.3 MiB/s". */
export function formatRate(bytesPerSecond: number | null | undefined): string {
  if (bytesPerSecond == null || !Number.isFinite(bytesPerSecond)) return MISSING;
  return `${formatBytes(bytesPerSecond)}/s`;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Seconds as a compact duration: "45s", "3m 05s", "1h 02m", "2d 03h". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return MISSING;
  const sign = seconds < 0 ? '-' : '';
  let s = Math.round(Math.abs(seconds));
  if (s < 60) return `${sign}${s}s`;
  const d = Math.floor(s / 86_400);
  s -= d * 86_400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (d > 0) return `${sign}${d}d ${pad2(h)}h`;
  if (h > 0) return `${sign}${h}h ${pad2(m)}m`;
  return `${sign}${m}m ${pad2(s)}s`;
}

/** The time left, or "—" while the rate is unknown (the first steps). */
export function formatEta(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds) || seconds < 0) return MISSING;
  return formatDuration(seconds);
}

/**
 * A metric value with `digits` significant digits; exponent notation outside [1e-3, 1e6) so learning
 * rates read as "2e-3" rather than "0.00200". Integers up to 1e6 stay integers.
 */
export function formatNumber(v: number | null | undefined, digits = 4): string {
  if (v == null) return MISSING;
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '-∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (Number.isInteger(v) && a < 1e6) return String(v);
  if (a < 1e-3 || a >= 1e6) {
    const [mantissa, exp] = v.toExponential(Math.max(0, digits - 1)).split('e');
    const trimmed = (mantissa ?? '').includes('.') ? (mantissa ?? '').replace(/\.?0+$/, '') : (mantissa ?? '');
    return `${trimmed}e${Number(exp)}`;
  }
  const s = v.toPrecision(digits);
  return s.includes('.') && !s.includes('e') ? s.replace(/\.?0+$/, '') : String(Number(s));
}

/** Fraction (0..1) as a percentage: 0.8173 → "81.7%". */
export function formatPercent(fraction: number | null | undefined, digits = 1): string {
  if (fraction == null || !Number.isFinite(fraction)) return MISSING;
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** Samples per second as "275/s" or "1.2k/s". */
export function formatThroughput(perSecond: number | null | undefined): string {
  if (perSecond == null || !Number.isFinite(perSecond)) return MISSING;
  if (perSecond >= 10_000) return `${(perSecond / 1000).toFixed(0)}k/s`;
  if (perSecond >= 1000) return `${(perSecond / 1000).toFixed(1)}k/s`;
  if (perSecond >= 100) return `${perSecond.toFixed(0)}/s`;
  return `${perSecond.toFixed(1)}/s`;
}

/** Local date and time as "2026-11-26 14:03". */
export function formatTimestamp(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return MISSING;
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** Local clock time "14:03:27", for wall-time chart axes and log lines. */
export function formatClock(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return MISSING;
  const d = new Date(ms);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** How long ago: "just now", "5 min ago", "3 h ago", "2 d ago". */
export function formatAgo(ms: number | null | undefined, now: number): string {
  if (ms == null || !Number.isFinite(ms)) return MISSING;
  const s = Math.max(0, (now - ms) / 1000);
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

/** Step/total as "1,200 / 5,000". */
export function formatProgress(step: number, total: number): string {
  return `${step.toLocaleString('en-US')} / ${total > 0 ? total.toLocaleString('en-US') : '?'}`;
}

/** A config or parameter value for tables: strings as they are, the rest as compact JSON. */
export function formatValue(v: unknown): string {
  if (v === undefined) return '';
  if (v === null) return 'null';
  if (typeof v === 'number') return formatNumber(v, 6);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return JSON.stringify(v);
}
