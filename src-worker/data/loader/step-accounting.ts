/**
 * The reference paper's epoch length (its src/training/data.py; docs/design/algorithms.md#step-accounting): each of the W loader workers
 * yields the same number of batches, so the global batch count is rounded up to a multiple of W:
 *   batchesPerEpoch = ceil(ceil(N / (b·K)) / W) · W
 * with N = --train-num-samples, b the per-rank batch, K ranks, W = max(1, --workers).
 * The reference paper's run (N 1e6, b 320, K 2, W 6) gives 261 · 6 = 1566.
 */
export function batchesPerEpoch(trainNumSamples: number, batchSize: number, worldSize: number, workers: number): number {
  const w = Math.max(1, workers);
  const globalBatches = Math.ceil(trainNumSamples / (batchSize * worldSize));
  return Math.ceil(globalBatches / w) * w;
}

/** How many of the first `consumed` batches of an epoch came from stream `stream` of `streams` (round-robin). */
export function batchesTakenFromStream(consumed: number, stream: number, streams: number): number {
  return consumed > stream ? Math.ceil((consumed - stream) / streams) : 0;
}
