/**
 * Decimation of a series to about N points, returning the indices to keep (ascending), so the caller
 * can pick x, y, step or a second y column from the same points.
 *
 * - LTTB (largest triangle three buckets, Steinarsson 2013): keeps the shape; first and last points
 *   always kept; exactly min(n, N) points.
 * - min-max: equal-width buckets along x (like screen columns); each keeps its minimum and maximum,
 *   so every spike stays visible and the global min and max are always kept; about N points.
 * Non-finite y values (NaN, ±Infinity) are never chosen as a bucket's representative over finite ones,
 * but a bucket holding any keeps one of them, so the chart still shows the gap or the divergence.
 */

export const DECIMATION_METHODS = ['lttb', 'minmax'] as const;
export type DecimationMethod = (typeof DECIMATION_METHODS)[number];

function allIndices(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

export function lttbIndices(xs: ArrayLike<number>, ys: ArrayLike<number>, maxPoints: number): number[] {
  const n = ys.length;
  const threshold = Math.floor(maxPoints);
  if (threshold >= n || n <= 2) return allIndices(n);
  if (threshold <= 2) return threshold <= 1 ? [0] : [0, n - 1];

  const kept: number[] = [0];
  const bucketWidth = (n - 2) / (threshold - 2);
  let a = 0;
  for (let bucket = 0; bucket < threshold - 2; bucket++) {
    const start = Math.floor(bucket * bucketWidth) + 1;
    const end = Math.floor((bucket + 1) * bucketWidth) + 1;
    const nextStart = end;
    const nextEnd = Math.min(Math.floor((bucket + 2) * bucketWidth) + 1, n);

    let sumX = 0;
    let sumY = 0;
    let finite = 0;
    for (let i = nextStart; i < nextEnd; i++) {
      const y = ys[i] as number;
      if (Number.isFinite(y)) {
        sumX += xs[i] as number;
        sumY += y;
        finite++;
      }
    }
    const ya0 = ys[a] as number;
    const xa = xs[a] as number;
    const avgX = finite > 0 ? sumX / finite : (xs[nextEnd - 1] as number);
    const avgY = finite > 0 ? sumY / finite : Number.isFinite(ya0) ? ya0 : 0;
    const ya = Number.isFinite(ya0) ? ya0 : avgY;

    let best = -1;
    let bestArea = -1;
    for (let i = start; i < end; i++) {
      const y = ys[i] as number;
      if (!Number.isFinite(y)) continue;
      const area = Math.abs((xa - avgX) * (y - ya) - (xa - (xs[i] as number)) * (avgY - ya));
      if (area > bestArea) {
        bestArea = area;
        best = i;
      }
    }
    a = best >= 0 ? best : start;
    kept.push(a);
  }
  kept.push(n - 1);
  return kept;
}

export function minMaxIndices(xs: ArrayLike<number>, ys: ArrayLike<number>, maxPoints: number): number[] {
  const n = ys.length;
  if (Math.floor(maxPoints) >= n || n <= 2) return allIndices(n);
  const buckets = Math.max(1, Math.floor((maxPoints - 2) / 2));
  let xMin = Infinity;
  let xMax = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = xs[i] as number;
    if (x < xMin) xMin = x;
    if (x > xMax) xMax = x;
  }
  const span = xMax - xMin;
  const minIdx = new Int32Array(buckets).fill(-1);
  const maxIdx = new Int32Array(buckets).fill(-1);
  const oddIdx = new Int32Array(buckets).fill(-1);
  for (let i = 0; i < n; i++) {
    const b = span > 0 ? Math.min(buckets - 1, Math.floor((((xs[i] as number) - xMin) / span) * buckets)) : 0;
    const y = ys[i] as number;
    if (!Number.isFinite(y)) {
      if ((oddIdx[b] as number) < 0) oddIdx[b] = i;
      continue;
    }
    const lo = minIdx[b] as number;
    if (lo < 0 || y < (ys[lo] as number)) minIdx[b] = i;
    const hi = maxIdx[b] as number;
    if (hi < 0 || y > (ys[hi] as number)) maxIdx[b] = i;
  }
  const keep = new Set<number>([0, n - 1]);
  for (let b = 0; b < buckets; b++) {
    for (const idx of [minIdx[b], maxIdx[b], oddIdx[b]]) if ((idx as number) >= 0) keep.add(idx as number);
  }
  return [...keep].sort((p, q) => p - q);
}

export function decimateIndices(
  method: DecimationMethod,
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  maxPoints: number,
): number[] {
  return method === 'lttb' ? lttbIndices(xs, ys, maxPoints) : minMaxIndices(xs, ys, maxPoints);
}
