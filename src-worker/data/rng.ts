/**
 * Seeded pseudo-random numbers for the data pipeline.
 *
 * Every random choice the pipeline makes (shard order, shuffle buffer, crop parameters) draws from an
 * Rng built by `mixSeed(seed, ...purpose)`, so a run is reproducible from its seed and independent
 * streams never share a sequence. xoshiro128** is small, fast in 32-bit JS arithmetic and good enough
 * for shuffling; nothing here is cryptographic.
 */

/** Folds any number of integers (up to 2^53 in magnitude) into one 32-bit seed. */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    if (!Number.isFinite(part)) throw new Error(`mixSeed: ${part} is not a finite number`);
    const v = Math.trunc(part);
    const lo = v >>> 0;
    const hi = Math.floor(v / 4294967296) >>> 0;
    h = fmix32(h ^ fmix32(lo + 0x85ebca6b));
    h = fmix32(h ^ fmix32(hi + 0xc2b2ae35));
  }
  return h >>> 0;
}

/** The finaliser of MurmurHash3: every input bit affects every output bit. */
function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    // splitmix32 expands one 32-bit seed into the 128-bit state (never all zero).
    let z = seed >>> 0;
    const next = (): number => {
      z = (z + 0x9e3779b9) >>> 0;
      let t = z;
      t = Math.imul(t ^ (t >>> 16), 0x21f0aaad);
      t = Math.imul(t ^ (t >>> 15), 0x735a2d97);
      return (t ^ (t >>> 15)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  float(): number {
    const hi = this.nextU32() >>> 5;
    const lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in [a, b). */
  uniform(a: number, b: number): number {
    return a + (b - a) * this.float();
  }

  /** Uniform integer in [lo, hi], both inclusive, without modulo bias. */
  int(lo: number, hi: number): number {
    const span = hi - lo + 1;
    if (!(span >= 1) || span > 4294967296) throw new Error(`Rng.int: bad range [${lo}, ${hi}]`);
    if (span === 1) return lo;
    const limit = Math.floor(4294967296 / span) * span;
    for (;;) {
      const x = this.nextU32();
      if (x < limit) return lo + (x % span);
    }
  }

  /** Fisher-Yates, in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
