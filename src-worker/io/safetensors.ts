/**
 * The safetensors format: an 8-byte little-endian header length N, N bytes of JSON
 * (`{"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {string: string}}`, offsets
 * relative to the end of the header), then the raw little-endian tensor bytes.
 *
 * Files can be large (ViT-B/16 is 600 MB in F32), so reading goes tensor by tensor through a file handle
 * straight into the output typed array, and writing streams tensor by tensor; neither holds a copy of
 * the whole file.
 *
 * Read: F32, F16, BF16 (to Float32Array), I32, I64 (to Int32Array when every value fits). Write: F32, I32.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import { withAtomicFile } from './atomic';
import { jsonSyntaxProblem } from './json-error';
import { WorkbenchError, type WorkbenchErrorOptions } from '../../src-shared/errors';

export const READABLE_DTYPES = ['F32', 'F16', 'BF16', 'I32', 'I64'] as const;
export type SafetensorsDtype = (typeof READABLE_DTYPES)[number];

const BYTES_PER_ELEMENT: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2, I32: 4, I64: 8 };

/** Headers beyond this are refused, as the reference implementation does, to avoid parsing garbage. */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export class SafetensorsError extends WorkbenchError {
  override name = 'SafetensorsError';
  constructor(message: string, options: WorkbenchErrorOptions = {}) {
    super(message, { kind: 'invalid', ...options });
  }
}

export interface SafetensorsEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Byte offsets of the data relative to the start of the data section. */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  entries: SafetensorsEntry[];
  metadata: Record<string, string>;
  /** Absolute file offset where the data section starts (8 + header length). */
  dataStart: number;
}

export interface LoadedTensor {
  /** What the file stored. */
  sourceDtype: SafetensorsDtype;
  shape: number[];
  /** Float32Array for F32/F16/BF16, Int32Array for I32/I64. */
  data: Float32Array | Int32Array;
}

export interface SafetensorsContents {
  tensors: Map<string, LoadedTensor>;
  metadata: Record<string, string>;
}

function assertLittleEndianHost(): void {
  if (os.endianness() !== 'LE') throw new SafetensorsError('safetensors I/O needs a little-endian machine');
}

function fail(file: string, what: string): never {
  throw new SafetensorsError(`${file}: ${what}`);
}

function isNonNegativeInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function parseEntry(file: string, name: string, raw: unknown): SafetensorsEntry {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(file, `header entry "${name}" is not an object`);
  const r = raw as Record<string, unknown>;
  const dtype = r.dtype;
  if (typeof dtype !== 'string' || !(READABLE_DTYPES as readonly string[]).includes(dtype)) {
    fail(file, `tensor "${name}" has dtype ${JSON.stringify(dtype)}, which is not supported (supported: ${READABLE_DTYPES.join(', ')})`);
  }
  const shape = r.shape;
  if (!Array.isArray(shape) || !shape.every(isNonNegativeInt)) fail(file, `tensor "${name}" has an invalid shape ${JSON.stringify(shape)}`);
  const offsets = r.data_offsets;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInt)) {
    fail(file, `tensor "${name}" has invalid data_offsets ${JSON.stringify(offsets)} (expected [begin, end], non-negative integers)`);
  }
  const [begin, end] = offsets as [number, number];
  const d = dtype as SafetensorsDtype;
  const numel = (shape as number[]).reduce((a, b) => a * b, 1);
  if (end < begin || end - begin !== numel * BYTES_PER_ELEMENT[d]) {
    fail(file, `tensor "${name}" data_offsets [${begin}, ${end}] span ${end - begin} bytes, but ${d} [${(shape as number[]).join(', ')}] needs ${numel * BYTES_PER_ELEMENT[d]}`);
  }
  return { name, dtype: d, shape: shape as number[], begin, end };
}

/** Reads and validates the header (not the data) of a safetensors file. */
export async function readSafetensorsHeader(file: string): Promise<SafetensorsHeader> {
  const handle = await fs.open(file, 'r');
  try {
    return await readHeaderFrom(handle, file);
  } finally {
    await handle.close();
  }
}

async function readHeaderFrom(handle: fs.FileHandle, file: string): Promise<SafetensorsHeader> {
  const { size } = await handle.stat();
  if (size < 8) fail(file, `not a safetensors file: ${size} bytes, shorter than the 8-byte header length`);
  const lenBuf = Buffer.alloc(8);
  await readFully(handle, lenBuf, 0, file);
  const headerLen = lenBuf.readBigUInt64LE(0);
  if (headerLen > BigInt(size - 8)) {
    fail(file, `not a safetensors file, or truncated: header length ${headerLen} is beyond the file size ${size}`);
  }
  if (headerLen > BigInt(MAX_HEADER_BYTES)) fail(file, `header of ${headerLen} bytes exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  const n = Number(headerLen);
  const headerBuf = Buffer.alloc(n);
  await readFully(handle, headerBuf, 8, file);
  const text = headerBuf.toString('utf8');
  if (!text.trimStart().startsWith('{')) fail(file, 'not a safetensors file: the header is not a JSON object');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    fail(file, `not a safetensors file: the header is not valid JSON (${jsonSyntaxProblem(err)})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail(file, 'not a safetensors file: the header is not a JSON object');

  const metadata: Record<string, string> = {};
  const entries: SafetensorsEntry[] = [];
  for (const [name, value] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(file, '__metadata__ is not an object of strings');
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(file, `__metadata__.${k} is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    entries.push(parseEntry(file, name, value));
  }

  const dataStart = 8 + n;
  const dataBytes = size - dataStart;
  const byBegin = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let prev: SafetensorsEntry | undefined;
  for (const e of byBegin) {
    if (prev && e.begin < prev.end) fail(file, `tensors "${prev.name}" and "${e.name}" overlap (bytes ${e.begin}..${prev.end})`);
    if (e.end > dataBytes) {
      fail(file, `truncated or offsets out of range: tensor "${e.name}" ends at data byte ${e.end}, but the file holds only ${dataBytes} data bytes`);
    }
    prev = e;
  }
  return { entries, metadata, dataStart };
}

async function readFully(handle: fs.FileHandle, target: Uint8Array, position: number, file: string): Promise<void> {
  let done = 0;
  while (done < target.byteLength) {
    // A single read is capped at 2 GiB by the OS; loop until the target is full.
    const chunk = Math.min(target.byteLength - done, 1 << 30);
    const { bytesRead } = await handle.read(target, done, chunk, position + done);
    if (bytesRead === 0) fail(file, `truncated: expected ${target.byteLength - done} more bytes at offset ${position + done}`);
    done += bytesRead;
  }
}

let halfTable: Float32Array | undefined;

/** All 65,536 half-precision values as float32, built once: conversion is then one lookup per element. */
export function halfToFloatTable(): Float32Array {
  if (halfTable) return halfTable;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) t[h] = sign * frac * 2 ** -24;
    else if (exp === 31) t[h] = frac === 0 ? sign * Infinity : NaN;
    else t[h] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  halfTable = t;
  return t;
}

async function readEntry(handle: fs.FileHandle, header: SafetensorsHeader, e: SafetensorsEntry, file: string): Promise<LoadedTensor> {
  const numel = e.shape.reduce((a, b) => a * b, 1);
  const position = header.dataStart + e.begin;
  switch (e.dtype) {
    case 'F32': {
      const out = new Float32Array(numel);
      await readFully(handle, new Uint8Array(out.buffer), position, file);
      return { sourceDtype: e.dtype, shape: e.shape, data: out };
    }
    case 'I32': {
      const out = new Int32Array(numel);
      await readFully(handle, new Uint8Array(out.buffer), position, file);
      return { sourceDtype: e.dtype, shape: e.shape, data: out };
    }
    case 'F16': {
      const raw = new Uint16Array(numel);
      await readFully(handle, new Uint8Array(raw.buffer), position, file);
      const table = halfToFloatTable();
      const out = new Float32Array(numel);
      for (let i = 0; i < numel; i++) out[i] = table[raw[i]!]!;
      return { sourceDtype: e.dtype, shape: e.shape, data: out };
    }
    case 'BF16': {
      const raw = new Uint16Array(numel);
      await readFully(handle, new Uint8Array(raw.buffer), position, file);
      // bfloat16 is the upper half of a float32.
      const bits = new Uint32Array(numel);
      for (let i = 0; i < numel; i++) bits[i] = raw[i]! << 16;
      return { sourceDtype: e.dtype, shape: e.shape, data: new Float32Array(bits.buffer) };
    }
    case 'I64': {
      const raw = new BigInt64Array(numel);
      await readFully(handle, new Uint8Array(raw.buffer), position, file);
      const out = new Int32Array(numel);
      for (let i = 0; i < numel; i++) {
        const v = raw[i]!;
        if (v > 2147483647n || v < -2147483648n) fail(file, `tensor "${e.name}" (I64) holds ${v} at element ${i}, which does not fit in int32`);
        out[i] = Number(v);
      }
      return { sourceDtype: e.dtype, shape: e.shape, data: out };
    }
  }
}

/**
 * Reads a safetensors file. With `names`, only those tensors are read (each must exist); the others are
 * validated in the header but not loaded.
 */
export async function readSafetensors(file: string, options: { names?: readonly string[] } = {}): Promise<SafetensorsContents> {
  assertLittleEndianHost();
  const handle = await fs.open(file, 'r');
  try {
    const header = await readHeaderFrom(handle, file);
    let wanted = header.entries;
    if (options.names) {
      const byName = new Map(header.entries.map((e) => [e.name, e]));
      const missing = options.names.filter((n) => !byName.has(n));
      if (missing.length > 0) fail(file, `has no tensor named ${missing.map((m) => `"${m}"`).join(', ')}`);
      wanted = options.names.map((n) => byName.get(n)!);
    }
    const tensors = new Map<string, LoadedTensor>();
    for (const e of wanted) tensors.set(e.name, await readEntry(handle, header, e, file));
    return { tensors, metadata: header.metadata };
  } finally {
    await handle.close();
  }
}

export type WritableArray = Float32Array | Int32Array;

export interface TensorToWrite {
  name: string;
  shape: readonly number[];
  /**
   * The values, or a function producing them when the writer reaches this tensor, so a caller can stream
   * a model to disk one tensor at a time (for example reading each tf.Variable only when needed).
   */
  data: WritableArray | (() => WritableArray | Promise<WritableArray>);
  /** Defaults to F32 for Float32Array data and I32 for Int32Array data; must agree with the data. */
  dtype?: 'F32' | 'I32';
}

function dtypeOf(t: TensorToWrite, data?: WritableArray): 'F32' | 'I32' {
  if (t.dtype) return t.dtype;
  if (typeof t.data !== 'function') return t.data instanceof Int32Array ? 'I32' : 'F32';
  if (data) return data instanceof Int32Array ? 'I32' : 'F32';
  throw new SafetensorsError(`tensor "${t.name}": give dtype when data is a function`);
}

/**
 * Writes tensors (F32 or I32) and string metadata as a safetensors file, atomically (temporary file,
 * fsync, rename), one tensor at a time.
 */
export async function writeSafetensors(
  file: string,
  tensors: readonly TensorToWrite[],
  metadata: Record<string, string> = {},
): Promise<void> {
  assertLittleEndianHost();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const dtypes: ('F32' | 'I32')[] = [];
  let offset = 0;
  const seen = new Set<string>();
  for (const t of tensors) {
    if (t.name === '__metadata__' || t.name.length === 0) throw new SafetensorsError(`${file}: invalid tensor name "${t.name}"`);
    if (seen.has(t.name)) throw new SafetensorsError(`${file}: tensor "${t.name}" is listed twice`);
    seen.add(t.name);
    if (!t.shape.every((d) => isNonNegativeInt(d))) throw new SafetensorsError(`${file}: tensor "${t.name}" has an invalid shape [${t.shape.join(', ')}]`);
    const dtype = dtypeOf(t);
    dtypes.push(dtype);
    const bytes = t.shape.reduce((a, b) => a * b, 1) * 4;
    header[t.name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data section starts 8-byte aligned, as the reference writer does.
  const jsonBytes = Buffer.byteLength(json, 'utf8');
  json += ' '.repeat((8 - ((8 + jsonBytes) % 8)) % 8);
  const headerBuf = Buffer.from(json, 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(headerBuf.byteLength), 0);

  await withAtomicFile(file, async (handle) => {
    await handle.write(prefix, 0, 8, 0);
    await handle.write(headerBuf, 0, headerBuf.byteLength, 8);
    let position = 8 + headerBuf.byteLength;
    for (let i = 0; i < tensors.length; i++) {
      const t = tensors[i]!;
      const data = typeof t.data === 'function' ? await t.data() : t.data;
      const numel = t.shape.reduce((a, b) => a * b, 1);
      if (data.length !== numel) {
        throw new SafetensorsError(`${file}: tensor "${t.name}" has ${data.length} values but shape [${t.shape.join(', ')}] needs ${numel}`);
      }
      const actual = data instanceof Int32Array ? 'I32' : 'F32';
      if (actual !== dtypes[i]) throw new SafetensorsError(`${file}: tensor "${t.name}" was declared ${dtypes[i]} but its data is ${actual}`);
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      let done = 0;
      while (done < bytes.byteLength) {
        const { bytesWritten } = await handle.write(bytes, done, Math.min(bytes.byteLength - done, 1 << 30), position + done);
        done += bytesWritten;
      }
      position += bytes.byteLength;
    }
  });
}
