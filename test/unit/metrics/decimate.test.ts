import { describe, expect, it } from 'vitest';
import { lttbIndices, minMaxIndices } from '../../../src-shared/metrics/decimate';

function noisy(n: number, seed = 1): { xs: Float64Array; ys: Float64Array } {
  let s = seed;
  const rand = (): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    xs[i] = i;
    ys[i] = Math.sin(i / 50) + rand() - 0.5;
  }
  return { xs, ys };
}

function isStrictlyIncreasing(a: readonly number[]): boolean {
  return a.every((v, i) => i === 0 || v > (a[i - 1] as number));
}

describe('LTTB', () => {
  it('returns exactly the requested count, keeps first and last, indices ascending', () => {
    const { xs, ys } = noisy(10_000);
    const idx = lttbIndices(xs, ys, 500);
    expect(idx).toHaveLength(500);
    expect(idx[0]).toBe(0);
    expect(idx[idx.length - 1]).toBe(9999);
    expect(isStrictlyIncreasing(idx)).toBe(true);
  });

  it('returns everything when there are fewer points than asked', () => {
    const { xs, ys } = noisy(10);
    expect(lttbIndices(xs, ys, 100)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('picks the spike in a flat series', () => {
    const n = 1000;
    const xs = Float64Array.from({ length: n }, (_, i) => i);
    const ys = new Float64Array(n);
    ys[437] = 100;
    expect(lttbIndices(xs, ys, 20)).toContain(437);
  });

  it('never picks a NaN over a finite point, but keeps one where a bucket is all NaN', () => {
    const n = 1000;
    const xs = Float64Array.from({ length: n }, (_, i) => i);
    const ys = Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? Number.NaN : Math.sin(i)));
    for (let i = 600; i < 800; i++) ys[i] = Number.NaN;
    const idx = lttbIndices(xs, ys, 50);
    const picked = idx.slice(1, -1).map((i) => ys[i] as number);
    const nanPicks = idx.slice(1, -1).filter((i) => Number.isNaN(ys[i]));
    expect(nanPicks.every((i) => i >= 600 && i < 800)).toBe(true);
    expect(nanPicks.length).toBeGreaterThan(0);
    expect(picked.filter(Number.isFinite).length).toBeGreaterThan(30);
  });
});

describe('min-max decimation', () => {
  it('keeps the global min and max, the first and the last point, at about the requested count', () => {
    const { xs, ys } = noisy(100_000, 7);
    ys[12_345] = 50;
    ys[54_321] = -50;
    const idx = minMaxIndices(xs, ys, 1000);
    expect(idx.length).toBeLessThanOrEqual(1000);
    expect(idx.length).toBeGreaterThan(900);
    expect(idx).toContain(12_345);
    expect(idx).toContain(54_321);
    expect(idx[0]).toBe(0);
    expect(idx[idx.length - 1]).toBe(99_999);
    expect(isStrictlyIncreasing(idx)).toBe(true);
  });

  it('keeps every bucket extreme: the decimated envelope equals the true one per bucket', () => {
    const { xs, ys } = noisy(20_000, 3);
    const buckets = 49; // (100 - 2) / 2
    const idx = new Set(minMaxIndices(xs, ys, 100));
    for (let b = 0; b < buckets; b++) {
      let lo = Infinity;
      let hi = -Infinity;
      let loKept = Infinity;
      let hiKept = -Infinity;
      for (let i = 0; i < 20_000; i++) {
        const bucket = Math.min(buckets - 1, Math.floor((i / 19_999) * buckets));
        if (bucket !== b) continue;
        const y = ys[i] as number;
        lo = Math.min(lo, y);
        hi = Math.max(hi, y);
        if (idx.has(i)) {
          loKept = Math.min(loKept, y);
          hiKept = Math.max(hiKept, y);
        }
      }
      expect(loKept).toBe(lo);
      expect(hiKept).toBe(hi);
    }
  });

  it('keeps a non-finite point of a bucket so divergence stays visible', () => {
    const n = 10_000;
    const xs = Float64Array.from({ length: n }, (_, i) => i);
    const ys = Float64Array.from({ length: n }, (_, i) => Math.cos(i));
    ys[5000] = Infinity;
    const idx = minMaxIndices(xs, ys, 100);
    expect(idx).toContain(5000);
  });

  it('buckets by x, not by index: a dense stretch does not crowd out a sparse one', () => {
    // 9,000 points in x in [0, 1), then 1,000 points spread over [1, 1000].
    const xs = new Float64Array(10_000);
    const ys = new Float64Array(10_000);
    for (let i = 0; i < 9000; i++) xs[i] = i / 9000;
    for (let i = 0; i < 1000; i++) xs[9000 + i] = 1 + i * (999 / 999);
    for (let i = 0; i < 10_000; i++) ys[i] = Math.sin(i);
    const idx = minMaxIndices(xs, ys, 202);
    const sparse = idx.filter((i) => i >= 9000).length;
    expect(sparse).toBeGreaterThan(150);
  });
});
