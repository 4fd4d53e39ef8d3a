import { describe, expect, it } from 'vitest';
import { smoothEma, smoothingWarmupLength } from '../../../src-shared/metrics/smoothing';

describe('debiased EMA smoothing (TensorBoard)', () => {
  it('matches hand-computed values', () => {
    // w = 0.5, y = [1, 2, 3]:
    //   last1 = 0.5 -> /(1-0.5)   = 1
    //   last2 = 0.25 + 1 = 1.25 -> /(1-0.25) = 5/3
    //   last3 = 0.625 + 1.5 = 2.125 -> /(1-0.125) = 17/7
    const s = smoothEma([1, 2, 3], 0.5);
    expect(s[0]).toBeCloseTo(1, 12);
    expect(s[1]).toBeCloseTo(5 / 3, 12);
    expect(s[2]).toBeCloseTo(17 / 7, 12);
  });

  it('with w = 0.6 (TensorBoard default) matches a direct weighted average', () => {
    const y = [3, -1, 4, 1, 5, 9, 2, 6];
    const w = 0.6;
    const s = smoothEma(y, w);
    y.forEach((_, n) => {
      let num = 0;
      let den = 0;
      for (let j = 0; j <= n; j++) {
        num += Math.pow(w, n - j) * (y[j] as number);
        den += Math.pow(w, n - j);
      }
      expect(s[n]).toBeCloseTo(num / den, 12);
    });
  });

  it('w = 0 returns the values unchanged', () => {
    expect(Array.from(smoothEma([5, -2, 7.5], 0))).toEqual([5, -2, 7.5]);
  });

  it('passes NaN and infinities through without advancing the debiasing count', () => {
    const s = smoothEma([1, Number.NaN, 2, Infinity, -Infinity, 3], 0.5);
    expect(s[0]).toBeCloseTo(1, 12);
    expect(Number.isNaN(s[1])).toBe(true);
    // Same as smoothing [1, 2]: n = 2 at the third point, not 3.
    expect(s[2]).toBeCloseTo(5 / 3, 12);
    expect(s[3]).toBe(Infinity);
    expect(s[4]).toBe(-Infinity);
    expect(s[5]).toBeCloseTo(17 / 7, 12);
  });

  it('a leading NaN does not poison the rest', () => {
    const s = smoothEma([Number.NaN, 4, 4.5], 0.9);
    expect(Number.isNaN(s[0])).toBe(true);
    expect(s[1]).toBeCloseTo(4, 12);
    expect(Number.isFinite(s[2])).toBe(true);
  });

  it('keeps a constant series exactly constant', () => {
    expect(Array.from(smoothEma([0.1, 0.1, 0.1, 0.1], 0.99))).toEqual([0.1, 0.1, 0.1, 0.1]);
  });

  it('rejects weights outside [0, 1)', () => {
    expect(() => smoothEma([1], 1)).toThrow(/\[0, 1\)/);
    expect(() => smoothEma([1], -0.1)).toThrow();
    expect(() => smoothEma([1], Number.NaN)).toThrow();
  });

  it('warm-up length makes the omitted history weigh under the tolerance', () => {
    for (const w of [0.6, 0.9, 0.99, 0.999]) {
      const k = smoothingWarmupLength(w);
      expect(Math.pow(w, k)).toBeLessThanOrEqual(1e-4);
      expect(Math.pow(w, k - 1)).toBeGreaterThan(1e-4);
    }
    expect(smoothingWarmupLength(0)).toBe(0);
  });
});
