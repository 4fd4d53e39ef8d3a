/** Splits of an array among ranks and into segments; every rank must compute the same bounds. */

export interface Range {
  start: number;
  end: number;
}

/** Part `index` of `parts` near-equal contiguous parts of `length` elements (the first ones one longer). */
export function chunkRange(length: number, parts: number, index: number): Range {
  const base = Math.floor(length / parts);
  const extra = length % parts;
  const start = index * base + Math.min(index, extra);
  return { start, end: start + base + (index < extra ? 1 : 0) };
}

/** Consecutive segments of at most `segmentLength` elements covering [0, length); none for length 0. */
export function segmentRanges(length: number, segmentLength: number): Range[] {
  if (!(segmentLength >= 1)) throw new Error(`segment length must be at least 1, got ${segmentLength}`);
  const out: Range[] = [];
  for (let start = 0; start < length; start += segmentLength) {
    out.push({ start, end: Math.min(length, start + segmentLength) });
  }
  return out;
}
