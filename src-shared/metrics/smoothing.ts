/**
 * TensorBoard's smoothing: an exponential moving average debiased like Adam's moments, so the first
 * points are not dragged towards 0:
 *   last = last * w + (1 - w) * y;   smoothed = last / (1 - w^n)
 * where n counts the finite points seen so far. Non-finite points (NaN, ±Infinity) pass through
 * unchanged and neither update `last` nor advance n, so one NaN does not poison the rest of the curve.
 */

export function assertSmoothingWeight(weight: number): void {
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0 || weight >= 1) {
    throw new RangeError(`smoothing: expected a weight in [0, 1), got ${String(weight)} (0 turns smoothing off; TensorBoard's default is 0.6)`);
  }
}

export function smoothEma(values: ArrayLike<number>, weight: number): Float64Array {
  assertSmoothingWeight(weight);
  const n = values.length;
  const out = new Float64Array(n);
  if (n === 0) return out;
  const first = values[0] as number;
  let constant = true;
  for (let i = 1; i < n && constant; i++) constant = values[i] === first;
  // A constant series would come back as c*(1-w^n)/(1-w^n), which rounding can turn into
  // 0.30000000000000004: TensorBoard skips smoothing there, and so do we.
  if (constant || weight === 0) {
    for (let i = 0; i < n; i++) out[i] = values[i] as number;
    return out;
  }
  let last = 0;
  let weightPower = 1;
  for (let i = 0; i < n; i++) {
    const y = values[i] as number;
    if (!Number.isFinite(y)) {
      out[i] = y;
      continue;
    }
    last = last * weight + (1 - weight) * y;
    weightPower *= weight;
    out[i] = last / (1 - weightPower);
  }
  return out;
}

/**
 * How many points before a zoomed range must be smoothed too, so the range looks as it does in the
 * full view: the history left out weighs at most w^k, so k = ln(tolerance) / ln(w).
 */
export function smoothingWarmupLength(weight: number, tolerance = 1e-4, cap = 200_000): number {
  assertSmoothingWeight(weight);
  if (weight === 0) return 0;
  return Math.min(cap, Math.ceil(Math.log(tolerance) / Math.log(weight)));
}
