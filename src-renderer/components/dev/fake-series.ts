/**
 * Series maths for the in-memory fake API: debiased EMA (TensorBoard's) and LTTB decimation, so the
 * fake answers `runs.series` the way the real store does (smooth at full resolution, then decimate).
 * Development and load-testing only; the real app gets series from the main process.
 */

export function smoothDebiased(values: ArrayLike<number>, weight: number, from = 0, to = values.length): Float64Array {
  const out = new Float64Array(Math.max(0, to - from));
  let last = 0;
  let power = 1;
  for (let i = from; i < to; i++) {
    const y = values[i] as number;
    if (weight === 0 || !Number.isFinite(y)) {
      out[i - from] = y;
      continue;
    }
    last = last * weight + (1 - weight) * y;
    power *= weight;
    out[i - from] = last / (1 - power);
  }
  return out;
}

/** Largest-Triangle-Three-Buckets: indices of `threshold` points that keep the series' visual shape. */
export function lttbIndices(xs: ArrayLike<number>, ys: ArrayLike<number>, threshold: number): number[] {
  const n = xs.length;
  if (threshold >= n || threshold < 3) return Array.from({ length: n }, (_, i) => i);
  const out: number[] = [0];
  const every = (n - 2) / (threshold - 2);
  let a = 0;
  for (let i = 0; i < threshold - 2; i++) {
    const rangeStart = Math.floor((i + 1) * every) + 1;
    const rangeEnd = Math.min(Math.floor((i + 2) * every) + 1, n);
    let avgX = 0;
    let avgY = 0;
    for (let j = rangeStart; j < rangeEnd; j++) {
      avgX += xs[j] as number;
      avgY += ys[j] as number;
    }
    const len = Math.max(1, rangeEnd - rangeStart);
    avgX /= len;
    avgY /= len;
    const start = Math.floor(i * every) + 1;
    const end = Math.floor((i + 1) * every) + 1;
    const ax = xs[a] as number;
    const ay = ys[a] as number;
    let best = start;
    let bestArea = -1;
    for (let j = start; j < end; j++) {
      const area = Math.abs((ax - avgX) * ((ys[j] as number) - ay) - (ax - (xs[j] as number)) * (avgY - ay));
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    out.push(best);
    a = best;
  }
  out.push(n - 1);
  return out;
}
