/** When silence from a worker counts as a stall: pure, so the thresholds are testable. */
export interface StallThresholds {
  /** A run is stalled after this many median step times without a message... */
  factor: number;
  /** ...but never sooner than this. */
  minMs: number;
  /** Before the first step (backend start, CUDA JIT compilation, data set-up) the limit is this. */
  startupMs: number;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export function stallLimitMs(stepTimesMs: readonly number[], sawStep: boolean, t: StallThresholds): number {
  // Until one step time is known (it takes two reported steps), the start-up limit still applies: a
  // ViT-B/16 step on a CPU can take longer than the minimum.
  if (!sawStep || stepTimesMs.length === 0) return Math.max(t.minMs, t.startupMs);
  return Math.max(t.minMs, t.factor * (median(stepTimesMs) ?? 0));
}
