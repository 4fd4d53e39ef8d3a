/**
 * A restricted unpickler for the `data.pkl` of a `torch.save` zip archive.
 *
 * Python's pickle is a small stack machine whose GLOBAL/REDUCE/BUILD opcodes import and call arbitrary
 * functions; that is how a malicious `.pt` runs code. This reader interprets the opcodes into plain
 * JavaScript values and never executes anything: the only globals it accepts are the few a state dict
 * needs (tensor and parameter rebuild, the float32/float16/bfloat16/int64 storage types, OrderedDict),
 * and it "calls" them by building a description of the tensor. Any other global is refused as soon as
 * the opcode naming it is read, with the global's name in the error.
 *
 * It is written for exactly the opcodes torch.save emits (protocol 2, plus the protocol 3-5 data
 * opcodes a newer pickler may use), so that what is accepted is small enough to read in one sitting;
 * a general-purpose pickle library would have to be wrapped in the same allow list anyway.
 */
import { WorkbenchError, type WorkbenchErrorOptions } from '../../src-shared/errors';

export class PickleError extends WorkbenchError {
  override name = 'PickleError';
  constructor(message: string, options: WorkbenchErrorOptions = {}) {
    super(message, { kind: 'invalid', ...options });
  }
}

/** A refused global: the error names it, so a user can see what the file tried to import. */
export class UnsafePickleError extends PickleError {
  override name = 'UnsafePickleError';
  constructor(readonly global: string, message: string) {
    super(message);
  }
}

export const TORCH_STORAGE_DTYPES = {
  FloatStorage: 'F32',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  LongStorage: 'I64',
} as const;
export type TorchStorageType = keyof typeof TORCH_STORAGE_DTYPES;
export type TorchDtype = (typeof TORCH_STORAGE_DTYPES)[TorchStorageType];

/** The globals this reader accepts, as "module.name". */
export const ALLOWED_GLOBALS: readonly string[] = [
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_parameter',
  'collections.OrderedDict',
  ...Object.keys(TORCH_STORAGE_DTYPES).map((s) => `torch.${s}`),
];

export class PyTuple {
  constructor(readonly items: unknown[]) {}
}

export class PyGlobal {
  constructor(readonly module: string, readonly name: string) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/** A storage named by a persistent id: ('storage', torch.FloatStorage, key, location, numel). */
export interface StorageRef {
  kind: 'storage';
  dtype: TorchDtype;
  /** The zip entry `<archive>/data/<key>`. */
  key: string;
  location: string;
  numel: number;
}

/** torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...), in elements. */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {}
  get dtype(): TorchDtype {
    return this.storage.dtype;
  }
}

/** A Python dict or OrderedDict. Keys are strings, numbers, booleans, null or tuples (by identity). */
export type PyDict = Map<unknown, unknown>;

const MARK = Symbol('mark');

const OPCODE_NAMES: Record<number, string> = {
  0x49: 'INT', 0x4c: 'LONG', 0x53: 'STRING', 0x56: 'UNICODE', 0x46: 'FLOAT', 0x67: 'GET', 0x70: 'PUT', 0x50: 'PERSID',
  0x69: 'INST', 0x6f: 'OBJ', 0x81: 'NEWOBJ', 0x92: 'NEWOBJ_EX', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4',
  0x54: 'BINSTRING', 0x55: 'SHORT_BINSTRING', 0x96: 'BYTEARRAY8', 0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER',
};

function describeGlobal(q: string): string {
  return `global ${q}`;
}

function refuseGlobal(q: string): never {
  throw new UnsafePickleError(
    q,
    `the pickle names the ${describeGlobal(q)}, which a state dict does not need; refused (a pickle can run any function it names, ` +
      `so only ${ALLOWED_GLOBALS.join(', ')} are accepted, and nothing is ever executed)`,
  );
}

function asInt(v: unknown, what: string): number {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER)) return Number(v);
  throw new PickleError(`${what} is not an integer (${typeof v})`);
}

function intTuple(v: unknown, what: string): number[] {
  if (!(v instanceof PyTuple)) throw new PickleError(`${what} is not a tuple`);
  return v.items.map((x, i) => asInt(x, `${what}[${i}]`));
}

function callGlobal(fn: PyGlobal, args: unknown): unknown {
  if (!(args instanceof PyTuple)) throw new PickleError(`REDUCE of ${fn.qualified}: the arguments are not a tuple`);
  const a = args.items;
  switch (fn.qualified) {
    case 'collections.OrderedDict': {
      const d: PyDict = new Map();
      if (a.length === 1 && Array.isArray(a[0])) {
        for (const pair of a[0]) {
          if (!(pair instanceof PyTuple) || pair.items.length !== 2) throw new PickleError('OrderedDict(items): an item is not a (key, value) pair');
          d.set(pair.items[0], pair.items[1]);
        }
      } else if (a.length !== 0) throw new PickleError(`OrderedDict called with ${a.length} arguments`);
      return d;
    }
    case 'torch._utils._rebuild_tensor_v2': {
      if (a.length < 4) throw new PickleError(`_rebuild_tensor_v2 needs at least 4 arguments, got ${a.length}`);
      const storage = a[0] as StorageRef;
      if (typeof storage !== 'object' || storage === null || (storage as { kind?: unknown }).kind !== 'storage') {
        throw new PickleError('_rebuild_tensor_v2: the first argument is not a storage');
      }
      const shape = intTuple(a[2], 'tensor size');
      const stride = intTuple(a[3], 'tensor stride');
      if (shape.length !== stride.length) throw new PickleError(`tensor size [${shape.join(', ')}] and stride [${stride.join(', ')}] differ in length`);
      if (shape.some((d) => d < 0) || stride.some((s) => s < 0)) throw new PickleError('negative tensor size or stride');
      return new TensorRef(storage, asInt(a[1], 'storage offset'), shape, stride);
    }
    case 'torch._utils._rebuild_parameter': {
      if (!(a[0] instanceof TensorRef)) throw new PickleError('_rebuild_parameter: the first argument is not a tensor');
      return a[0];
    }
    default:
      // Storage types are accepted only inside a persistent id, never called.
      return refuseGlobal(fn.qualified);
  }
}

function persistentLoad(pid: unknown): StorageRef {
  if (!(pid instanceof PyTuple) || pid.items[0] !== 'storage' || pid.items.length < 5) {
    throw new PickleError(`unsupported persistent id (torch.save writes ('storage', type, key, location, numel))`);
  }
  const [, type, key, location, numel] = pid.items;
  if (!(type instanceof PyGlobal) || type.module !== 'torch' || !(type.name in TORCH_STORAGE_DTYPES)) {
    throw new PickleError(`persistent id names storage type ${type instanceof PyGlobal ? type.qualified : String(type)}, which is not supported`);
  }
  if (typeof key !== 'string' || !/^[\w.-]+$/.test(key)) throw new PickleError(`persistent id has an invalid storage key ${JSON.stringify(key)}`);
  return {
    kind: 'storage',
    dtype: TORCH_STORAGE_DTYPES[type.name as TorchStorageType],
    key,
    location: typeof location === 'string' ? location : '?',
    numel: asInt(numel, 'storage size'),
  };
}

/** Interprets a pickle into plain values (see the module comment). */
export function unpickle(data: Uint8Array): unknown {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let pos = 0;
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();

  const need = (n: number): void => {
    if (pos + n > buf.length) throw new PickleError(`truncated pickle: ${n} bytes needed at offset ${pos}, ${buf.length - pos} left`);
  };
  const u8 = (): number => { need(1); return buf[pos++]!; };
  const u16 = (): number => { need(2); const v = buf.readUInt16LE(pos); pos += 2; return v; };
  const u32 = (): number => { need(4); const v = buf.readUInt32LE(pos); pos += 4; return v; };
  const u64 = (): number => {
    need(8);
    const v = buf.readBigUInt64LE(pos);
    pos += 8;
    if (v > BigInt(buf.length)) throw new PickleError(`length ${v} at offset ${pos - 8} is beyond the pickle`);
    return Number(v);
  };
  const bytes = (n: number): Buffer => { need(n); const b = buf.subarray(pos, pos + n); pos += n; return b; };
  const line = (): string => {
    const end = buf.indexOf(0x0a, pos);
    if (end < 0) throw new PickleError('truncated pickle: a GLOBAL line has no newline');
    const s = buf.toString('utf8', pos, end);
    pos = end + 1;
    return s;
  };
  const pop = (): unknown => {
    if (stack.length === 0) throw new PickleError(`pickle stack underflow at offset ${pos - 1}`);
    const v = stack.pop();
    if (v === MARK) throw new PickleError(`unexpected MARK at offset ${pos - 1}`);
    return v;
  };
  const top = (): unknown => {
    const v = stack[stack.length - 1];
    if (stack.length === 0 || v === MARK) throw new PickleError(`pickle stack empty at offset ${pos - 1}`);
    return v;
  };
  const popMark = (): unknown[] => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) throw new PickleError(`no MARK on the stack at offset ${pos - 1}`);
    const items = stack.splice(i);
    items.shift();
    return items;
  };
  const memoGet = (i: number): unknown => {
    if (!memo.has(i)) throw new PickleError(`memo key ${i} is not set`);
    return memo.get(i);
  };
  const global = (module: string, name: string): PyGlobal => {
    const q = `${module}.${name}`;
    if (!ALLOWED_GLOBALS.includes(q)) refuseGlobal(q);
    return new PyGlobal(module, name);
  };
  const setItems = (d: unknown, items: unknown[]): void => {
    if (!(d instanceof Map)) throw new PickleError('SETITEM(S) on something that is not a dict');
    if (items.length % 2 !== 0) throw new PickleError('SETITEMS with an odd number of items');
    for (let i = 0; i < items.length; i += 2) d.set(items[i], items[i + 1]);
  };
  const appendAll = (list: unknown, items: unknown[]): void => {
    if (!Array.isArray(list)) throw new PickleError('APPEND(S) on something that is not a list');
    list.push(...items);
  };
  const signedLong = (b: Buffer): number | bigint => {
    if (b.length === 0) return 0;
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    if (b[b.length - 1]! & 0x80) v -= 1n << BigInt(8 * b.length);
    return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
  };

  for (;;) {
    const at = pos;
    const op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: u64(); break; // FRAME: framing only, the bytes follow inline
      case 0x2e: { // STOP
        const result = pop();
        if (stack.length > 0) throw new PickleError(`pickle ended with ${stack.length} extra values on the stack`);
        return result;
      }
      case 0x28: stack.push(MARK); break;
      case 0x29: stack.push(new PyTuple([])); break;
      case 0x5d: stack.push([]); break;
      case 0x7d: stack.push(new Map()); break;
      case 0x8f: stack.push(new Set()); break; // EMPTY_SET
      case 0x4e: stack.push(null); break;
      case 0x88: stack.push(true); break;
      case 0x89: stack.push(false); break;
      case 0x4a: { need(4); stack.push(buf.readInt32LE(pos)); pos += 4; break; } // BININT
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x8a: stack.push(signedLong(bytes(u8()))); break; // LONG1
      case 0x8b: { // LONG4
        const n = u32();
        if (n > 64) throw new PickleError(`LONG4 of ${n} bytes is not a value a state dict holds`);
        stack.push(signedLong(bytes(n)));
        break;
      }
      case 0x47: { need(8); stack.push(buf.readDoubleBE(pos)); pos += 8; break; } // BINFLOAT
      case 0x58: stack.push(bytes(u32()).toString('utf8')); break; // BINUNICODE
      case 0x8c: stack.push(bytes(u8()).toString('utf8')); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(bytes(u64()).toString('utf8')); break; // BINUNICODE8
      case 0x43: stack.push(Uint8Array.from(bytes(u8()))); break; // SHORT_BINBYTES
      case 0x42: stack.push(Uint8Array.from(bytes(u32()))); break; // BINBYTES
      case 0x8e: stack.push(Uint8Array.from(bytes(u64()))); break; // BINBYTES8
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: stack.push(memoGet(u8())); break; // BINGET
      case 0x6a: stack.push(memoGet(u32())); break; // LONG_BINGET
      case 0x63: { // GLOBAL "module\nname\n"
        const module = line();
        const name = line();
        stack.push(global(module, name));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw new PickleError('STACK_GLOBAL needs two strings');
        stack.push(global(module, name));
        break;
      }
      case 0x51: stack.push(persistentLoad(pop())); break; // BINPERSID
      case 0x52: { // REDUCE
        const args = pop();
        const fn = pop();
        if (!(fn instanceof PyGlobal)) throw new PickleError(`REDUCE at offset ${at} calls something that is not a global`);
        stack.push(callGlobal(fn, args));
        break;
      }
      case 0x62: { // BUILD: only OrderedDict's attribute dict (state_dict()._metadata) is accepted, and dropped.
        const state = pop();
        const obj = top();
        if (!(obj instanceof Map)) throw new PickleError(`BUILD at offset ${at} sets the state of something other than a dict; refused`);
        if (!(state instanceof Map) && state !== null && !(state instanceof PyTuple)) throw new PickleError(`BUILD at offset ${at} has an unexpected state`);
        break;
      }
      case 0x74: stack.push(new PyTuple(popMark())); break; // TUPLE
      case 0x85: stack.push(new PyTuple([pop()])); break;
      case 0x86: { const b = pop(); const a = pop(); stack.push(new PyTuple([a, b])); break; }
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push(new PyTuple([a, b, c])); break; }
      case 0x6c: stack.push(popMark()); break; // LIST
      case 0x64: { const d = new Map(); setItems(d, popMark()); stack.push(d); break; } // DICT
      case 0x91: stack.push(new Set(popMark())); break; // FROZENSET
      case 0x61: { const v = pop(); appendAll(top(), [v]); break; } // APPEND
      case 0x65: { const items = popMark(); appendAll(top(), items); break; } // APPENDS
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x90: { // ADDITEMS
        const items = popMark();
        const s = top();
        if (!(s instanceof Set)) throw new PickleError('ADDITEMS on something that is not a set');
        for (const x of items) s.add(x);
        break;
      }
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      default: {
        const name = OPCODE_NAMES[op];
        throw new PickleError(
          name
            ? `opcode ${name} at offset ${at} is not used by torch.save for a state dict; refused`
            : `unknown pickle opcode 0x${op.toString(16).padStart(2, '0')} at offset ${at} (not a pickle, or damaged)`,
        );
      }
    }
  }
}
