/** Deterministic test arrays, generated identically by the rank processes and by the test. */

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Floats of widely varying magnitude, so that a different summation order gives different bits. */
export function floatsFor(rank: number, tag: number, length: number): Float32Array {
  const rnd = mulberry32(rank * 7919 + tag * 104729 + 1);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = (rnd() * 2 - 1) * 2 ** Math.floor(rnd() * 40 - 20);
  return out;
}

export function intsFor(rank: number, tag: number, length: number): Int32Array {
  const rnd = mulberry32(rank * 15485863 + tag * 32452843 + 3);
  const out = new Int32Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(rnd() * 4294967296) | 0;
  return out;
}

/** The documented mean: float32 sum in rank order, rounded after each addition, then times 1/K. */
export function expectedMean(parts: readonly Float32Array[]): Float32Array {
  const k = parts.length;
  const out = Float32Array.from(parts[0]!);
  for (let r = 1; r < k; r++) {
    const src = parts[r]!;
    for (let i = 0; i < out.length; i++) out[i] = r === k - 1 ? Math.fround(out[i]! + src[i]!) * (1 / k) : out[i]! + src[i]!;
  }
  return out;
}
