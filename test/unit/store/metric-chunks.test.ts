import { describe, expect, it } from 'vitest';
import { clipColumns, decodeChunk, emptyColumns, encodeChunk, lowerBound, upperBound } from '../../../src-main/store/metric-chunks';

function sample(): ReturnType<typeof emptyColumns> {
  const c = emptyColumns(5);
  c.steps.set([0, 1, 1, 5, 9]);
  c.values.set([0.5, Number.NaN, Infinity, -Infinity, -0]);
  c.walls.set([1e12, 1e12 + 1, 1e12 + 2.5, 1e12 + 3, 1e12 + 4]);
  c.segments.set([0, 0, 1, 1, 2]);
  return c;
}

describe('metric chunk blobs', () => {
  it('round-trip every column bit-exactly, NaN and signed zero included', () => {
    const c = sample();
    const back = decodeChunk(encodeChunk(c), 'test');
    expect(Array.from(back.steps)).toEqual([0, 1, 1, 5, 9]);
    expect(Number.isNaN(back.values[1])).toBe(true);
    expect(back.values[2]).toBe(Infinity);
    expect(back.values[3]).toBe(-Infinity);
    expect(Object.is(back.values[4], -0)).toBe(true);
    expect(Array.from(back.walls)).toEqual(Array.from(c.walls));
    expect(Array.from(back.segments)).toEqual([0, 0, 1, 1, 2]);
  });

  it('decodes a blob that is not 8-byte aligned', () => {
    const blob = encodeChunk(sample());
    const shifted = Buffer.alloc(blob.length + 3);
    blob.copy(shifted, 3);
    const back = decodeChunk(shifted.subarray(3), 'test');
    expect(Array.from(back.steps)).toEqual([0, 1, 1, 5, 9]);
  });

  it('rejects truncated blobs and unknown formats with the location in the message', () => {
    const blob = encodeChunk(sample());
    expect(() => decodeChunk(blob.subarray(0, blob.length - 1), 'metric chunk 7')).toThrow(/metric chunk 7/);
    const wrong = Buffer.from(blob);
    wrong.writeUInt32LE(99, 0);
    expect(() => decodeChunk(wrong, 'metric chunk 8')).toThrow(/format 99/);
  });

  it('binary searches and clips by step, duplicates included', () => {
    const c = sample();
    expect(lowerBound(c.steps, 1)).toBe(1);
    expect(upperBound(c.steps, 1)).toBe(3);
    expect(Array.from(clipColumns(c, 1, 5).steps)).toEqual([1, 1, 5]);
    expect(clipColumns(c, 6, 8).steps.length).toBe(0);
  });
});
