/** Reads the theme's CSS variables for canvas drawing (Chart.js cannot use CSS variables itself). */

export interface ChartTheme { text: string; grid: string; bg: string }

export function readChartTheme(): ChartTheme {
  const s = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => s.getPropertyValue(name).trim() || fallback;
  return { text: v('--fg-muted', '#5b6472'), grid: v('--grid', 'rgba(0,0,0,0.08)'), bg: v('--bg-raised', '#ffffff') };
}

/** Calls `fn` when the system switches between dark and light; returns the unsubscribe. */
export function onThemeChange(fn: () => void): () => void {
  const mq = window.matchMedia('(prefers-color-scheme: dark)');
  mq.addEventListener('change', fn);
  return () => mq.removeEventListener('change', fn);
}
