/**
 * Line colours: a qualitative palette readable on both themes (Tableau 10), one colour per run in
 * overlays, and dash patterns to tell several keys of one run apart on the same chart.
 */

export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'] as const;

export function colorAt(index: number): string {
  const n = PALETTE.length;
  return PALETTE[((index % n) + n) % n] as string;
}

const DASHES: number[][] = [[], [6, 3], [2, 2], [8, 3, 2, 3]];

export function dashAt(index: number): number[] {
  return DASHES[index % DASHES.length] ?? [];
}

/** "#4e79a7" at alpha 0.25 → "rgba(78,121,167,0.25)", for the faint raw line behind the smoothed one. */
export function withAlpha(hex: string, alpha: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return hex;
  return `rgba(${parseInt(m[1]!, 16)},${parseInt(m[2]!, 16)},${parseInt(m[3]!, 16)},${alpha})`;
}
