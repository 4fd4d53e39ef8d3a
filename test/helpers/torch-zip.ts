/**
 * Builds PyTorch `torch.save` checkpoints byte by byte, without Python: a protocol-2 pickle written
 * opcode by opcode (as torch's pickler emits it for a state dict), and a stored (uncompressed) zip
 * archive with local headers, central directory and end record. Tests use it to create real `.pt` files
 * from known tensors, and malicious ones.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';

export type PtDtype = 'float32' | 'float16' | 'bfloat16' | 'int64';

const STORAGE: Record<PtDtype, string> = { float32: 'FloatStorage', float16: 'HalfStorage', bfloat16: 'BFloat16Storage', int64: 'LongStorage' };

/** A tensor as torch.save sees it: a storage (raw bytes) plus offset, size and stride in elements. */
export interface PtTensor {
  dtype: PtDtype;
  /** Storage key: tensors with the same key share a storage. */
  key: string;
  storage: Buffer;
  storageNumel: number;
  offset: number;
  shape: number[];
  stride: number[];
  parameter?: boolean;
}

function rowMajor(shape: number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d]!;
  }
  return s;
}

/** float32 -> IEEE half bits (values the tests use are exactly representable). */
export function toHalfBits(v: number): number {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  const frac = x & 0x7fffff;
  if (v === 0) return sign;
  if (exp <= 0) return sign | ((frac | 0x800000) >> (14 - exp));
  if (exp >= 31) return sign | 0x7c00;
  return sign | (exp << 10) | (frac >> 13);
}

export function storageBytes(dtype: PtDtype, values: readonly number[]): Buffer {
  switch (dtype) {
    case 'float32': return Buffer.from(new Float32Array(values).buffer);
    case 'float16': return Buffer.from(new Uint16Array(values.map(toHalfBits)).buffer);
    case 'bfloat16': return Buffer.from(new Uint16Array(values.map((v) => new Uint32Array(new Float32Array([v]).buffer)[0]! >>> 16)).buffer);
    case 'int64': return Buffer.from(new BigInt64Array(values.map((v) => BigInt(v))).buffer);
  }
}

/** A contiguous tensor with its own storage. */
export function tensor(dtype: PtDtype, key: string, shape: number[], values: readonly number[], parameter = false): PtTensor {
  return { dtype, key, storage: storageBytes(dtype, values), storageNumel: values.length, offset: 0, shape, stride: rowMajor(shape), parameter };
}

/** Python values for the pickle writer. */
export type Py =
  | null | boolean | number | string
  | { int: number | bigint }
  | { float: number }
  | { tuple: Py[] }
  | Py[]
  | { dict: [Py, Py][]; ordered?: boolean; metadata?: boolean }
  | { tensor: PtTensor };

/** Writes a protocol-2 pickle as torch.save does. */
export class PickleWriter {
  private parts: Buffer[] = [];
  private memo = 0;
  private globals = new Map<string, number>();

  op(...bytes: number[]): this {
    this.parts.push(Buffer.from(bytes));
    return this;
  }
  raw(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
  put(): this {
    const i = this.memo++;
    return i < 256 ? this.op(0x71, i) : this.raw(Buffer.from([0x72, i & 0xff, (i >> 8) & 0xff, (i >> 16) & 0xff, i >>> 24]));
  }
  unicode(s: string): this {
    const b = Buffer.from(s, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32LE(b.length);
    return this.op(0x58).raw(len).raw(b).put();
  }
  int(v: number | bigint): this {
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 256) return this.op(0x4b, v);
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 65536) return this.op(0x4d, v & 0xff, v >> 8);
    if (typeof v === 'number' && Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31) {
      const b = Buffer.alloc(4);
      b.writeInt32LE(v);
      return this.op(0x4a).raw(b);
    }
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(BigInt(v));
    return this.op(0x8a, 8).raw(b);
  }
  float(v: number): this {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(v);
    return this.op(0x47).raw(b);
  }
  global(module: string, name: string): this {
    const q = `${module}\n${name}\n`;
    const memoised = this.globals.get(q);
    if (memoised !== undefined && memoised < 256) return this.op(0x68, memoised);
    this.globals.set(q, this.memo);
    return this.op(0x63).raw(Buffer.from(q, 'utf8')).put();
  }
  value(v: Py): this {
    if (v === null) return this.op(0x4e);
    if (v === true) return this.op(0x88);
    if (v === false) return this.op(0x89);
    if (typeof v === 'number') return Number.isInteger(v) ? this.int(v) : this.float(v);
    if (typeof v === 'string') return this.unicode(v);
    if (Array.isArray(v)) {
      this.op(0x5d).put();
      if (v.length > 0) {
        this.op(0x28);
        for (const x of v) this.value(x);
        this.op(0x65);
      }
      return this;
    }
    if ('int' in v) return this.int(v.int);
    if ('float' in v) return this.float(v.float);
    if ('tuple' in v) {
      if (v.tuple.length === 0) return this.op(0x29);
      this.op(0x28);
      for (const x of v.tuple) this.value(x);
      return this.op(0x74).put();
    }
    if ('tensor' in v) return this.tensor(v.tensor);
    // dict / OrderedDict (with state_dict()'s _metadata set through BUILD, as torch pickles it)
    if (v.ordered) this.global('collections', 'OrderedDict').op(0x29, 0x52).put();
    else this.op(0x7d).put();
    if (v.dict.length > 0) {
      this.op(0x28);
      for (const [k, x] of v.dict) this.value(k).value(x);
      this.op(0x75);
    }
    // pickle's save_reduce writes the items first, then the attribute state and BUILD.
    if (v.metadata) this.op(0x7d).put().unicode('_metadata').value({ dict: [['', { dict: [['version', 1]] }]], ordered: true }).op(0x73).op(0x62);
    return this;
  }
  tensor(t: PtTensor): this {
    if (t.parameter) this.global('torch._utils', '_rebuild_parameter').op(0x28);
    this.global('torch._utils', '_rebuild_tensor_v2');
    this.op(0x28); // args
    this.op(0x28).unicode('storage').global('torch', STORAGE[t.dtype]).unicode(t.key).unicode('cpu').int(t.storageNumel).op(0x74).put().op(0x51).put();
    this.int(t.offset);
    this.value({ tuple: t.shape });
    this.value({ tuple: t.stride });
    this.op(0x89); // requires_grad False
    this.global('collections', 'OrderedDict').op(0x29, 0x52).put(); // backward hooks
    this.op(0x74).put().op(0x52).put();
    if (t.parameter) this.op(0x88).global('collections', 'OrderedDict').op(0x29, 0x52).put().op(0x74).put().op(0x52).put();
    return this;
  }
  finish(): Buffer {
    return Buffer.concat([Buffer.from([0x80, 0x02]), ...this.parts, Buffer.from([0x2e])]);
  }
}

export function picklePy(v: Py): Buffer {
  return new PickleWriter().value(v).finish();
}

function collectTensors(v: Py, out: Map<string, PtTensor>): void {
  if (v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) return v.forEach((x) => collectTensors(x, out));
  if ('tensor' in v) {
    out.set(v.tensor.key, v.tensor);
    return;
  }
  if ('tuple' in v) return v.tuple.forEach((x) => collectTensors(x, out));
  if ('dict' in v) for (const [k, x] of v.dict) { collectTensors(k, out); collectTensors(x, out); }
}

export interface ZipMember {
  name: string;
  data: Buffer;
}

/** A stored (method 0) zip archive, members 64-byte aligned as torch's writer aligns them. */
export function zipStored(members: readonly ZipMember[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const name = Buffer.from(m.name, 'utf8');
    const crc = zlib.crc32(m.data);
    const headerLen = 30 + name.length;
    const pad = (64 - ((offset + headerLen + 4) % 64)) % 64;
    const extra = Buffer.alloc(4 + pad);
    extra.writeUInt16LE(0x1234, 0); // an opaque padding field, as torch writes ("FB" padding)
    extra.writeUInt16LE(pad, 2);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0, 6); // flags
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(m.data.length, 18);
    local.writeUInt32LE(m.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(extra.length, 28);
    parts.push(local, name, extra, m.data);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(0, 8);
    c.writeUInt16LE(0, 10);
    c.writeUInt16LE(0, 12);
    c.writeUInt16LE(0x21, 14);
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(m.data.length, 20);
    c.writeUInt32LE(m.data.length, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt16LE(0, 30);
    c.writeUInt16LE(0, 32);
    c.writeUInt16LE(0, 34);
    c.writeUInt16LE(0, 36);
    c.writeUInt32LE(0, 38);
    c.writeUInt32LE(offset, 42);
    central.push(c, name);
    offset += 30 + name.length + extra.length + m.data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cd, end]);
}

/** Writes `value` as a torch.save zip checkpoint: <archive>/data.pkl, data/<key>, version, byteorder. */
export function writeTorchZip(file: string, value: Py, options: { archive?: string; pickle?: Buffer; extra?: ZipMember[] } = {}): void {
  const archive = options.archive ?? 'archive';
  const tensors = new Map<string, PtTensor>();
  collectTensors(value, tensors);
  const members: ZipMember[] = [
    { name: `${archive}/data.pkl`, data: options.pickle ?? picklePy(value) },
    { name: `${archive}/byteorder`, data: Buffer.from('little') },
    ...[...tensors.values()].map((t) => ({ name: `${archive}/data/${t.key}`, data: t.storage })),
    { name: `${archive}/version`, data: Buffer.from('3\n') },
    ...(options.extra ?? []),
  ];
  fs.writeFileSync(file, zipStored(members));
}

/** An open_clip training checkpoint: {epoch, name, state_dict (module.-prefixed OrderedDict), optimizer}. */
export function openClipCheckpoint(stateDict: [string, PtTensor][], optimizerTensors: PtTensor[] = [], epoch = 3): Py {
  return {
    dict: [
      ['epoch', epoch],
      ['name', 'seed-run'],
      ['state_dict', { dict: stateDict.map(([k, t]) => [`module.${k}`, { tensor: t }]), ordered: true, metadata: true }],
      ['optimizer', {
        dict: [
          ['state', { dict: optimizerTensors.map((t, i) => [i, { dict: [['step', { float: 7 }], ['exp_avg', { tensor: t }]] }]) }],
          ['param_groups', [{ dict: [['lr', 0.001], ['betas', { tuple: [0.9, 0.98] }], ['eps', 1e-6], ['weight_decay', 0.2], ['params', optimizerTensors.map((_, i) => i)]] }]],
        ],
      }],
    ],
  };
}

/**
 * Writes host float32 weights as an open_clip training checkpoint .pt (module.-prefixed, with an
 * optimizer entry and an int64 position_ids buffer the model does not use).
 */
export function writeOpenClipPt(file: string, weights: Map<string, { shape: number[]; data: Float32Array }>, options: { positionIds?: boolean } = {}): void {
  const sd: [string, PtTensor][] = [];
  let key = 0;
  for (const [name, t] of weights) {
    sd.push([name, { dtype: 'float32', key: String(key++), storage: Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength), storageNumel: t.data.length, offset: 0, shape: [...t.shape], stride: rowMajor(t.shape), parameter: true }]);
  }
  if (options.positionIds) sd.push(['position_ids', tensor('int64', String(key++), [1, 4], [0, 1, 2, 3])]);
  writeTorchZip(file, openClipCheckpoint(sd, [tensor('float32', String(key), [2], [0.5, 0.25])], 30), { archive: 'epoch_30' });
}
