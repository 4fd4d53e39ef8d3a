/**
 * Packed metric points: columns of one series as typed arrays, and the blob format of `metric_chunks`.
 *
 * Blob layout (little-endian, the byte order of every platform Node ships for):
 *   u32 format (1) | u32 count | f64 steps[count] | f64 values[count] | f64 wall ms[count] | i32 segments[count]
 * Values keep NaN and ±Infinity bit-exact, unlike SQLite REAL columns, which turn NaN into NULL.
 */
import os from 'node:os';

export interface PointColumns {
  steps: Float64Array;
  values: Float64Array;
  /** Wall time, milliseconds since the Unix epoch. */
  walls: Float64Array;
  /** Which resume wrote the point (0 for the first launch). */
  segments: Int32Array;
}

const FORMAT = 1;
const HEADER_BYTES = 8;
const BYTES_PER_POINT = 8 * 3 + 4;

if (os.endianness() !== 'LE') {
  throw new Error('metric chunks are stored little-endian; this big-endian platform is not supported');
}

export function emptyColumns(count = 0): PointColumns {
  return {
    steps: new Float64Array(count),
    values: new Float64Array(count),
    walls: new Float64Array(count),
    segments: new Int32Array(count),
  };
}

export function columnsLength(columns: PointColumns): number {
  return columns.steps.length;
}

export function encodeChunk(columns: PointColumns): Buffer {
  const count = columns.steps.length;
  const buffer = new ArrayBuffer(HEADER_BYTES + count * BYTES_PER_POINT);
  const header = new Uint32Array(buffer, 0, 2);
  header[0] = FORMAT;
  header[1] = count;
  let offset = HEADER_BYTES;
  new Float64Array(buffer, offset, count).set(columns.steps);
  offset += count * 8;
  new Float64Array(buffer, offset, count).set(columns.values);
  offset += count * 8;
  new Float64Array(buffer, offset, count).set(columns.walls);
  offset += count * 8;
  new Int32Array(buffer, offset, count).set(columns.segments);
  return Buffer.from(buffer);
}

export function decodeChunk(blob: Uint8Array, where: string): PointColumns {
  if (blob.byteLength < HEADER_BYTES) throw new Error(`${where}: metric chunk is truncated`);
  // Views need 8-byte alignment; better-sqlite3 hands out blobs in their own aligned allocation, so the
  // copy below is only a fallback.
  let buffer: ArrayBuffer;
  let base: number;
  if (blob.byteOffset % 8 === 0 && blob.buffer instanceof ArrayBuffer) {
    buffer = blob.buffer;
    base = blob.byteOffset;
  } else {
    buffer = new ArrayBuffer(blob.byteLength);
    new Uint8Array(buffer).set(blob);
    base = 0;
  }
  const [format, count] = new Uint32Array(buffer, base, 2) as unknown as [number, number];
  if (format !== FORMAT) throw new Error(`${where}: metric chunk format ${format} is unknown to this build`);
  if (blob.byteLength !== HEADER_BYTES + count * BYTES_PER_POINT) {
    throw new Error(`${where}: metric chunk holds ${blob.byteLength} bytes, expected ${HEADER_BYTES + count * BYTES_PER_POINT}`);
  }
  let offset = base + HEADER_BYTES;
  const steps = new Float64Array(buffer, offset, count);
  offset += count * 8;
  const values = new Float64Array(buffer, offset, count);
  offset += count * 8;
  const walls = new Float64Array(buffer, offset, count);
  offset += count * 8;
  const segments = new Int32Array(buffer, offset, count);
  return { steps, values, walls, segments };
}

export function sliceColumns(columns: PointColumns, start: number, end: number): PointColumns {
  return {
    steps: columns.steps.subarray(start, end),
    values: columns.values.subarray(start, end),
    walls: columns.walls.subarray(start, end),
    segments: columns.segments.subarray(start, end),
  };
}

/** Which optional columns a read needs; steps and values are always read. */
export interface ColumnSelection {
  walls?: boolean;
  segments?: boolean;
}

export const ALL_COLUMNS: Required<ColumnSelection> = { walls: true, segments: true };

/**
 * Concatenates parts into fresh arrays. Columns not selected come back empty (length 0): a 1M-point
 * chart read then copies 16 MB instead of 28 MB.
 */
export function concatColumns(parts: readonly PointColumns[], select: ColumnSelection = ALL_COLUMNS): PointColumns {
  const total = parts.reduce((n, p) => n + p.steps.length, 0);
  const out: PointColumns = {
    steps: new Float64Array(total),
    values: new Float64Array(total),
    walls: new Float64Array(select.walls ? total : 0),
    segments: new Int32Array(select.segments ? total : 0),
  };
  let offset = 0;
  for (const p of parts) {
    out.steps.set(p.steps, offset);
    out.values.set(p.values, offset);
    if (select.walls) out.walls.set(p.walls, offset);
    if (select.segments) out.segments.set(p.segments, offset);
    offset += p.steps.length;
  }
  return out;
}

/** First index whose step is >= step (steps sorted ascending). */
export function lowerBound(steps: Float64Array, step: number): number {
  let lo = 0;
  let hi = steps.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((steps[mid] as number) < step) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose step is > step (steps sorted ascending). */
export function upperBound(steps: Float64Array, step: number): number {
  let lo = 0;
  let hi = steps.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((steps[mid] as number) <= step) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Points whose step lies in [fromStep, toStep]. */
export function clipColumns(columns: PointColumns, fromStep: number, toStep: number): PointColumns {
  const start = lowerBound(columns.steps, fromStep);
  const end = upperBound(columns.steps, toStep);
  if (start === 0 && end === columns.steps.length) return columns;
  return sliceColumns(columns, start, Math.max(start, end));
}
