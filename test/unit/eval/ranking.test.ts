import { describe, expect, it } from 'vitest';
import { ColumnTopK, rankOfTarget } from '../../../src-worker/eval/ranking';

describe('rankOfTarget (strict top-k, ties to the lower index)', () => {
  const row = Float32Array.from([0.5, 0.9, 0.5, 0.1, 0.5]);
  it('counts higher scores and equal scores at lower indices', () => {
    expect(rankOfTarget(row, 0, 5, 1)).toBe(0);
    expect(rankOfTarget(row, 0, 5, 0)).toBe(1);
    expect(rankOfTarget(row, 0, 5, 2)).toBe(2);
    expect(rankOfTarget(row, 0, 5, 4)).toBe(3);
    expect(rankOfTarget(row, 0, 5, 3)).toBe(4);
  });
  it('reads a row at an offset', () => {
    const two = Float32Array.from([9, 9, 9, 0.5, 0.9, 0.5, 0.1, 0.5]);
    expect(rankOfTarget(two, 3, 5, 2)).toBe(2);
  });
  it('ranks NaN above numbers and never ranks a NaN target', () => {
    const nan = Float32Array.from([NaN, 1, NaN]);
    expect(rankOfTarget(nan, 0, 3, 1)).toBe(2);
    expect(rankOfTarget(nan, 0, 3, 0)).toBe(Infinity);
  });
});

describe('ColumnTopK', () => {
  it('keeps, per column, the k best rows in order, whatever the chunking', () => {
    // 6 rows x 2 columns; column 0 has ties.
    const m = [
      [0.3, 1],
      [0.7, 2],
      [0.3, 3],
      [0.7, 4],
      [0.1, 5],
      [0.9, 6],
    ];
    const flat = Float32Array.from(m.flat());
    const whole = new ColumnTopK(2, 3);
    whole.offer(flat, 6, 0);
    const chunked = new ColumnTopK(2, 3);
    chunked.offer(flat.subarray(0, 2), 1, 0);
    chunked.offer(flat.subarray(2, 8), 3, 1);
    chunked.offer(flat.subarray(8), 2, 4);
    for (const t of [whole, chunked]) {
      expect(Array.from(t.rows.subarray(0, 3))).toEqual([5, 1, 3]);
      expect(Array.from(t.rows.subarray(3, 6))).toEqual([5, 4, 3]);
      expect(t.firstRank(0, (r) => r === 3)).toBe(2);
      expect(t.firstRank(0, (r) => r === 0)).toBe(Infinity);
      expect(t.firstRank(1, (r) => r % 2 === 0)).toBe(1);
    }
  });
  it('puts NaN rows first but does not count them as hits', () => {
    const t = new ColumnTopK(1, 2);
    t.offer(Float32Array.from([1, NaN, 2]), 3, 0);
    expect(Array.from(t.rows)).toEqual([1, 2]);
    expect(t.firstRank(0, (r) => r === 1)).toBe(Infinity);
    expect(t.firstRank(0, (r) => r >= 1)).toBe(1);
  });
});
