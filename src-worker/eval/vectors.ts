/** Row-wise L2 normalisation of [n, d] row-major embeddings, accumulated in float64. */
export function l2NormalizeRows(x: Float32Array, n: number, d: number): Float32Array {
  const out = new Float32Array(n * d);
  for (let r = 0; r < n; r++) {
    const base = r * d;
    let sq = 0;
    for (let j = 0; j < d; j++) {
      const v = x[base + j]!;
      sq += v * v;
    }
    // A zero vector stays zero (it then ties with everything) instead of turning into NaNs.
    const inv = sq > 0 ? 1 / Math.sqrt(sq) : 0;
    for (let j = 0; j < d; j++) out[base + j] = x[base + j]! * inv;
  }
  return out;
}

/** Checks that an encoder returned [n, d] and says which encoder and task did not. */
export function checkEmbeddings(out: Float32Array, n: number, d: number, what: string): void {
  if (!(out instanceof Float32Array) || out.length !== n * d) {
    const got = out instanceof Float32Array ? `${out.length} values` : typeof out;
    throw new Error(`${what}: expected a Float32Array of ${n} x ${d} = ${n * d} values, got ${got}; the encoder's embedDim must match what it returns`);
  }
}
