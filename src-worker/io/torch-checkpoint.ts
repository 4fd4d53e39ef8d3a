/**
 * PyTorch checkpoints (`torch.save`, PyTorch >= 1.6): a zip archive holding `<archive>/data.pkl` (the
 * pickled object, tensors as persistent ids), `<archive>/data/<key>` (one raw little-endian storage per
 * key), `<archive>/version` and, in newer files, `<archive>/byteorder`.
 *
 * The zip is read with yauzl (random access through the central directory, one entry streamed at a
 * time, ZIP64 aware), so a 600 MB checkpoint is never held whole; each storage is checked against the
 * CRC-32 the archive records. The pickle goes through the restricted unpickler of torch-pickle.ts.
 *
 * What counts as the state dict: the `state_dict` entry of an open_clip training checkpoint
 * (`{epoch, name, state_dict, optimizer}`), else the top-level dict itself. Its tensors are offered by
 * name with DDP's `module.` prefix removed; scalar entries beside it (epoch, name) become metadata and
 * the optimizer state is ignored (listed in `ignored`).
 *
 * The legacy format (PyTorch < 1.6, or `_use_new_zipfile_serialization=False`) and TorchScript
 * archives (`torch.jit.save`, e.g. OpenAI's ViT-B-32.pt) are refused with an explanation.
 */
import fs from 'node:fs';
import os from 'node:os';
import zlib from 'node:zlib';
import yauzl from 'yauzl';
import { halfToFloatTable, type LoadedTensor, type SafetensorsContents } from './safetensors';
import { PickleError, TensorRef, unpickle, type PyDict, type TorchDtype } from './torch-pickle';
import { WorkbenchError, type WorkbenchErrorOptions } from '../../src-shared/errors';

export class TorchCheckpointError extends WorkbenchError {
  override name = 'TorchCheckpointError';
  constructor(message: string, options: WorkbenchErrorOptions = {}) {
    super(message, { kind: 'invalid', ...options });
  }
}

export interface TorchTensorEntry {
  /** Name in the state dict, `module.` removed. */
  name: string;
  dtype: TorchDtype;
  shape: number[];
}

export interface TorchCheckpointInfo {
  entries: TorchTensorEntry[];
  /** Scalar top-level entries (epoch, name, ...) as strings. */
  metadata: Record<string, string>;
  /** Top-level entries that are neither the state dict nor scalars (optimizer, ...). */
  ignored: string[];
  /** Whether the names carried DDP's `module.` prefix. */
  strippedModulePrefix: boolean;
}

const BYTES: Record<TorchDtype, number> = { F32: 4, F16: 2, BF16: 2, I64: 8 };
/** data.pkl of a state dict is small (names and shapes); anything near this is not one. */
const MAX_PICKLE_BYTES = 256 * 1024 * 1024;
const LEGACY_MAGIC = Buffer.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]);

export type WeightsFormat = 'safetensors' | 'torch-zip' | 'torch-legacy' | 'pickle' | 'unknown';

/** Tells the weight formats apart by their first bytes, not by the file name. */
export function sniffWeightsFormat(file: string): WeightsFormat {
  const head = Buffer.alloc(16);
  const fd = fs.openSync(file, 'r');
  let n: number;
  try {
    n = fs.readSync(fd, head, 0, 16, 0);
  } finally {
    fs.closeSync(fd);
  }
  const b = head.subarray(0, n);
  if (b.length >= 4 && b.readUInt32LE(0) === 0x04034b50) return 'torch-zip';
  if (b.length >= LEGACY_MAGIC.length && b.subarray(0, LEGACY_MAGIC.length).equals(LEGACY_MAGIC)) return 'torch-legacy';
  if (b.length >= 9 && b[8] === 0x7b /* "{" of the JSON header */) return 'safetensors';
  if (b.length >= 2 && b[0] === 0x80 && b[1]! <= 5) return 'pickle';
  return 'unknown';
}

export function legacyFormatError(file: string): TorchCheckpointError {
  return new TorchCheckpointError(
    `${file} uses PyTorch's legacy serialization (PyTorch < 1.6 or _use_new_zipfile_serialization=False), which this reader does not read. ` +
      'Save it again with a current PyTorch (torch.save(torch.load(f, map_location="cpu", weights_only=True), f)), or convert it to safetensors.',
  );
}

type ZipEntries = Map<string, yauzl.Entry>;

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: false }, (err, zip) => (err ? reject(err) : resolve(zip)));
  });
}

function listEntries(zip: yauzl.ZipFile): Promise<ZipEntries> {
  return new Promise((resolve, reject) => {
    const out: ZipEntries = new Map();
    zip.on('entry', (e: yauzl.Entry) => {
      out.set(e.fileName, e);
      zip.readEntry();
    });
    zip.on('end', () => resolve(out));
    zip.on('error', reject);
    zip.readEntry();
  });
}

async function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, file: string): Promise<Uint8Array> {
  if (entry.uncompressedSize > 2 ** 31 - 1) throw new TorchCheckpointError(`${file}: ${entry.fileName} is larger than 2 GiB, which this reader does not hold in one piece`);
  const out = new Uint8Array(entry.uncompressedSize);
  const stream = await zip.openReadStreamPromise(entry);
  let at = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (at + chunk.length > out.length) throw new TorchCheckpointError(`${file}: ${entry.fileName} holds more bytes than its directory entry says`);
    out.set(chunk, at);
    at += chunk.length;
  }
  if (at !== out.length) throw new TorchCheckpointError(`${file}: ${entry.fileName} is truncated (${at} of ${out.length} bytes)`);
  const crc = zlib.crc32(out);
  if (crc !== entry.crc32) throw new TorchCheckpointError(`${file}: ${entry.fileName} fails its CRC-32 check; the file is damaged`);
  return out;
}

interface Opened {
  zip: yauzl.ZipFile;
  entries: ZipEntries;
  /** `<archive>/`, the folder every member sits in. */
  prefix: string;
  root: unknown;
}

async function openArchive(file: string): Promise<Opened> {
  if (os.endianness() !== 'LE') throw new TorchCheckpointError('reading PyTorch checkpoints needs a little-endian machine');
  const format = sniffWeightsFormat(file);
  if (format === 'torch-legacy') throw legacyFormatError(file);
  if (format !== 'torch-zip') throw new TorchCheckpointError(`${file} is not a PyTorch zip checkpoint (it does not start with a zip header)`);
  let zip: yauzl.ZipFile;
  let entries: ZipEntries;
  try {
    zip = await openZip(file);
    entries = await listEntries(zip);
  } catch (err) {
    throw new TorchCheckpointError(`${file} is not a readable zip archive: ${(err as Error).message}`);
  }
  try {
    const pkl = [...entries.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n));
    if ([...entries.keys()].some((n) => /^[^/]+\/(constants\.pkl|code\/)/.test(n))) {
      throw new TorchCheckpointError(
        `${file} is a TorchScript archive (torch.jit.save; OpenAI's ViT-B-32.pt as clip.load downloads it is one): it pickles scripted ` +
          'modules (__torch__.* classes with code), not a state dict, and this reader never runs such code. For OpenAI\'s weights run ' +
          '`clipwb models pull openai/clip-vit-base-patch32`; otherwise save its state dict in Python: ' +
          'torch.save(torch.jit.load(f, map_location="cpu").state_dict(), "model.pt").',
      );
    }
    if (pkl.length !== 1) throw new TorchCheckpointError(`${file} is a zip archive but not a torch.save checkpoint (${pkl.length === 0 ? 'no' : 'several'} <archive>/data.pkl)`);
    const prefix = pkl[0]!.slice(0, -'data.pkl'.length);
    const byteorder = entries.get(`${prefix}byteorder`);
    if (byteorder) {
      const order = Buffer.from(await readEntry(zip, byteorder, file)).toString('utf8').trim();
      if (order !== 'little') throw new TorchCheckpointError(`${file} was saved on a ${order}-endian machine; only little-endian checkpoints are read`);
    }
    const pklEntry = entries.get(pkl[0]!)!;
    if (pklEntry.uncompressedSize > MAX_PICKLE_BYTES) throw new TorchCheckpointError(`${file}: data.pkl is ${pklEntry.uncompressedSize} bytes, too large for a state dict`);
    let root: unknown;
    try {
      root = unpickle(await readEntry(zip, pklEntry, file));
    } catch (err) {
      if (err instanceof PickleError) err.message = `${file}: ${err.message}`;
      throw err;
    }
    return { zip, entries, prefix, root };
  } catch (err) {
    zip.close();
    throw err;
  }
}

const isTensorDict = (v: unknown): v is PyDict => v instanceof Map && v.size > 0 && [...v.values()].some((x) => x instanceof TensorRef);

interface StateDictView {
  info: TorchCheckpointInfo;
  tensors: Map<string, TensorRef>;
}

function stateDictOf(root: unknown, file: string): StateDictView {
  if (!(root instanceof Map)) throw new TorchCheckpointError(`${file} holds a pickled ${describe(root)}, not a dict of tensors`);
  const metadata: Record<string, string> = {};
  const ignored: string[] = [];
  let sd: PyDict;
  if (root.get('state_dict') instanceof Map) {
    sd = root.get('state_dict') as PyDict;
    for (const [k, v] of root) {
      if (k === 'state_dict') continue;
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') metadata[String(k)] = String(v);
      else ignored.push(String(k));
    }
  } else if (isTensorDict(root)) {
    sd = root;
  } else {
    const keys = [...root.keys()].map(String);
    throw new TorchCheckpointError(`${file} holds a dict with ${keys.length > 0 ? `keys ${keys.slice(0, 8).join(', ')}` : 'no keys'} but no state_dict and no tensors`);
  }
  const tensors = new Map<string, TensorRef>();
  for (const [k, v] of sd) {
    if (typeof k !== 'string') throw new TorchCheckpointError(`${file}: a state dict key is a ${describe(k)}, not a string`);
    if (v instanceof TensorRef) tensors.set(k, v);
    else ignored.push(k);
  }
  if (tensors.size === 0) throw new TorchCheckpointError(`${file}: the state dict holds no tensors`);
  const names = [...tensors.keys()];
  const strip = names.every((n) => n.startsWith('module.'));
  const renamed = new Map<string, TensorRef>();
  for (const [k, v] of tensors) renamed.set(strip ? k.slice('module.'.length) : k, v);
  const entries = [...renamed].map(([name, t]) => ({ name, dtype: t.dtype, shape: [...t.shape] }));
  return { info: { entries, metadata, ignored, strippedModulePrefix: strip }, tensors: renamed };
}

function describe(v: unknown): string {
  if (v === null) return 'None';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Map) return 'dict';
  if (v instanceof TensorRef) return 'tensor';
  return typeof v;
}

/** Reads the names, dtypes and shapes of a checkpoint's tensors (the pickle only, no tensor data). */
export async function readTorchCheckpointInfo(file: string): Promise<TorchCheckpointInfo> {
  const opened = await openArchive(file);
  try {
    return stateDictOf(opened.root, file).info;
  } finally {
    opened.zip.close();
  }
}

/**
 * Reads the state dict's tensors as float32 (F32/F16/BF16) or int32 (I64 whose values fit), contiguous
 * in row-major order whatever the stored strides and offset. With `names`, only those are read.
 */
export async function readTorchCheckpoint(file: string, options: { names?: readonly string[] } = {}): Promise<SafetensorsContents & { info: TorchCheckpointInfo }> {
  const opened = await openArchive(file);
  try {
    const { info, tensors } = stateDictOf(opened.root, file);
    let wanted = [...tensors.keys()];
    if (options.names) {
      const missing = options.names.filter((n) => !tensors.has(n));
      if (missing.length > 0) throw new TorchCheckpointError(`${file} has no tensor named ${missing.map((m) => `"${m}"`).join(', ')}`);
      wanted = [...options.names];
    }
    const out = new Map<string, LoadedTensor>();
    for (const name of wanted) out.set(name, await materialise(opened, tensors.get(name)!, name, file));
    return { tensors: out, metadata: info.metadata, info };
  } finally {
    opened.zip.close();
  }
}

async function materialise(opened: Opened, t: TensorRef, name: string, file: string): Promise<LoadedTensor> {
  const entryName = `${opened.prefix}data/${t.storage.key}`;
  const entry = opened.entries.get(entryName);
  if (!entry) throw new TorchCheckpointError(`${file}: tensor ${name} points at storage ${t.storage.key}, but ${entryName} is not in the archive`);
  const size = BYTES[t.dtype];
  const numel = t.shape.reduce((a, b) => a * b, 1);
  if (numel > 0) {
    const last = t.offset + t.shape.reduce((s, d, i) => s + (d - 1) * t.stride[i]!, 0);
    if (last >= t.storage.numel || last * size >= entry.uncompressedSize) {
      throw new TorchCheckpointError(`${file}: tensor ${name} reaches element ${last} of storage ${t.storage.key}, which holds ${Math.min(t.storage.numel, Math.floor(entry.uncompressedSize / size))}`);
    }
  }
  const raw = await readEntry(opened.zip, entry, file); // a fresh, aligned buffer
  const index = elementIndex(t);
  switch (t.dtype) {
    case 'F32': {
      const src = new Float32Array(raw.buffer, 0, raw.byteLength >> 2);
      return { sourceDtype: 'F32', shape: [...t.shape], data: gather(src, index, new Float32Array(numel)) };
    }
    case 'F16': {
      const src = new Uint16Array(raw.buffer, 0, raw.byteLength >> 1);
      const table = halfToFloatTable();
      const data = new Float32Array(numel);
      for (let i = 0; i < numel; i++) data[i] = table[src[index(i)]!]!;
      return { sourceDtype: 'F16', shape: [...t.shape], data };
    }
    case 'BF16': {
      const src = new Uint16Array(raw.buffer, 0, raw.byteLength >> 1);
      const bits = new Uint32Array(numel);
      for (let i = 0; i < numel; i++) bits[i] = src[index(i)]! << 16;
      return { sourceDtype: 'BF16', shape: [...t.shape], data: new Float32Array(bits.buffer) };
    }
    case 'I64': {
      const src = new BigInt64Array(raw.buffer, 0, raw.byteLength >> 3);
      const data = new Int32Array(numel);
      for (let i = 0; i < numel; i++) {
        const v = src[index(i)]!;
        if (v > 2147483647n || v < -2147483648n) throw new TorchCheckpointError(`${file}: tensor ${name} (int64) holds ${v} at element ${i}, which does not fit in int32`);
        data[i] = Number(v);
      }
      return { sourceDtype: 'I64', shape: [...t.shape], data };
    }
  }
}

function gather(src: Float32Array, index: (i: number) => number, out: Float32Array): Float32Array {
  for (let i = 0; i < out.length; i++) out[i] = src[index(i)]!;
  return out;
}

/** Maps a row-major output position to the storage element, honouring offset and strides. */
function elementIndex(t: TensorRef): (i: number) => number {
  const { shape, stride, offset } = t;
  let contiguous = true;
  let expect = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== expect) contiguous = false;
    expect *= shape[d]!;
  }
  if (contiguous) return (i) => offset + i;
  return (i) => {
    let rest = i;
    let at = offset;
    for (let d = shape.length - 1; d >= 0; d--) {
      const n = shape[d]!;
      at += (rest % n) * stride[d]!;
      rest = Math.floor(rest / n);
    }
    return at;
  };
}
