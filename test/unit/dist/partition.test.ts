import { describe, expect, it } from 'vitest';
import { chunkRange, segmentRanges } from '../../../src-worker/dist/partition';

describe('chunkRange', () => {
  it('covers [0, length) in order, contiguous, sizes differing by at most one', () => {
    for (const length of [0, 1, 2, 5, 7, 1000, 1001]) {
      for (const parts of [1, 2, 3, 4, 7]) {
        let next = 0;
        const sizes: number[] = [];
        for (let i = 0; i < parts; i++) {
          const r = chunkRange(length, parts, i);
          expect(r.start).toBe(next);
          next = r.end;
          sizes.push(r.end - r.start);
        }
        expect(next).toBe(length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('gives the longer chunks to the first ranks', () => {
    expect([0, 1, 2].map((i) => chunkRange(5, 3, i))).toEqual([
      { start: 0, end: 2 }, { start: 2, end: 4 }, { start: 4, end: 5 },
    ]);
  });
});

describe('segmentRanges', () => {
  it('splits into segments of at most the given length, the last one shorter', () => {
    expect(segmentRanges(10, 4)).toEqual([{ start: 0, end: 4 }, { start: 4, end: 8 }, { start: 8, end: 10 }]);
    expect(segmentRanges(8, 4)).toEqual([{ start: 0, end: 4 }, { start: 4, end: 8 }]);
    expect(segmentRanges(0, 4)).toEqual([]);
  });

  it('rejects a segment length below one', () => {
    expect(() => segmentRanges(10, 0)).toThrow(/at least 1/);
  });
});
