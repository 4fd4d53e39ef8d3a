/** SVG path data for a sparkline: one path per unbroken run of values, y scaled to [0, max]. */

export function sparklinePaths(values: readonly (number | null)[], width: number, height: number, max: number | null = null): string[] {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (finite.length === 0 || width <= 0 || height <= 0) return [];
  const top = max !== null && max > 0 ? max : Math.max(...finite, 1e-9);
  const n = values.length;
  const dx = n > 1 ? width / (n - 1) : 0;
  const pad = 1;
  const paths: string[] = [];
  let current: string[] = [];
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined || !Number.isFinite(v)) {
      if (current.length > 0) paths.push(current.join(' '));
      current = [];
      continue;
    }
    const x = n > 1 ? i * dx : width / 2;
    const clamped = Math.max(0, Math.min(top, v));
    const y = height - pad - (clamped / top) * (height - 2 * pad);
    current.push(`${current.length === 0 ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`);
  }
  if (current.length > 0) paths.push(current.join(' '));
  // A single point draws nothing as a line: make it a short horizontal tick.
  return paths.map((p) => (p.includes('L') ? p : `${p} h1`));
}
