import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readTorchCheckpoint, readTorchCheckpointInfo, sniffWeightsFormat, TorchCheckpointError } from '../../../src-worker/io/torch-checkpoint';
import { unpickle, UnsafePickleError, PickleError, TensorRef } from '../../../src-worker/io/torch-pickle';
import { openClipCheckpoint, picklePy, storageBytes, tensor, writeTorchZip, zipStored, type PtTensor } from '../../helpers/torch-zip';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipwb-pt-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = (name: string): string => path.join(dir, name);

describe('torch.save zip checkpoints', () => {
  it('reads an open_clip training checkpoint: module. stripped, dtypes converted, optimizer ignored', async () => {
    const sd: [string, PtTensor][] = [
      ['visual.proj', tensor('float32', '0', [2, 3], [1, -2, 3.5, 0.25, 1e-3, -7], true)],
      ['token_embedding.weight', tensor('float16', '1', [2, 2], [1.5, -2, 0.000061035156, 65504])],
      ['ln_final.weight', tensor('bfloat16', '2', [3], [1, -0.5, 3.140625])],
      ['position_ids', tensor('int64', '3', [1, 4], [0, 1, 2, 3])],
      ['logit_scale', tensor('float32', '4', [], [4.6052])],
    ];
    const opt = [tensor('float32', '5', [2], [0.5, 0.25])];
    const f = file('epoch_3.pt');
    writeTorchZip(f, openClipCheckpoint(sd, opt, 3), { archive: 'epoch_3' });
    expect(sniffWeightsFormat(f)).toBe('torch-zip');

    const info = await readTorchCheckpointInfo(f);
    expect(info.strippedModulePrefix).toBe(true);
    expect(info.entries.map((e) => [e.name, e.dtype, e.shape])).toEqual([
      ['visual.proj', 'F32', [2, 3]],
      ['token_embedding.weight', 'F16', [2, 2]],
      ['ln_final.weight', 'BF16', [3]],
      ['position_ids', 'I64', [1, 4]],
      ['logit_scale', 'F32', []],
    ]);
    expect(info.metadata).toEqual({ epoch: '3', name: 'seed-run' });
    expect(info.ignored).toEqual(['optimizer']);

    const { tensors } = await readTorchCheckpoint(f);
    expect([...tensors.get('visual.proj')!.data]).toEqual([...new Float32Array([1, -2, 3.5, 0.25, 1e-3, -7])]);
    expect([...tensors.get('token_embedding.weight')!.data]).toEqual([1.5, -2, 0.000061035156250, 65504]);
    expect([...tensors.get('ln_final.weight')!.data]).toEqual([1, -0.5, 3.140625]);
    const ids = tensors.get('position_ids')!;
    expect(ids.data).toBeInstanceOf(Int32Array);
    expect([...ids.data]).toEqual([0, 1, 2, 3]);
    expect(tensors.get('logit_scale')!.shape).toEqual([]);
    expect(tensors.get('logit_scale')!.data[0]).toBeCloseTo(4.6052, 5);

    // Only the named tensors are read.
    const some = await readTorchCheckpoint(f, { names: ['ln_final.weight'] });
    expect([...some.tensors.keys()]).toEqual(['ln_final.weight']);
    await expect(readTorchCheckpoint(f, { names: ['nope'] })).rejects.toThrow(/no tensor named "nope"/);
  });

  it('honours storage offsets and strides (a transposed view and two views of one storage)', async () => {
    // Storage 0..11; `t` is a [3,2] transpose of the [2,3] block starting at element 2; `row` is elements 8..11.
    const values = Array.from({ length: 12 }, (_, i) => i);
    const storage = storageBytes('float32', values);
    const t: PtTensor = { dtype: 'float32', key: 's', storage, storageNumel: 12, offset: 2, shape: [3, 2], stride: [1, 3] };
    const row: PtTensor = { dtype: 'float32', key: 's', storage, storageNumel: 12, offset: 8, shape: [4], stride: [1] };
    const every2: PtTensor = { dtype: 'float32', key: 's', storage, storageNumel: 12, offset: 1, shape: [3], stride: [4] };
    const f = file('views.pt');
    writeTorchZip(f, { dict: [['t', { tensor: t }], ['row', { tensor: row }], ['every2', { tensor: every2 }]], ordered: true });
    const { tensors } = await readTorchCheckpoint(f);
    // [2,3] block at offset 2: [[2,3,4],[5,6,7]]; its transpose: [[2,5],[3,6],[4,7]].
    expect([...tensors.get('t')!.data]).toEqual([2, 5, 3, 6, 4, 7]);
    expect([...tensors.get('row')!.data]).toEqual([8, 9, 10, 11]);
    expect([...tensors.get('every2')!.data]).toEqual([1, 5, 9]);
  });

  it('refuses a view that reaches beyond its storage', async () => {
    const bad: PtTensor = { ...tensor('float32', '0', [4], [1, 2, 3, 4]), offset: 2 };
    const f = file('beyond.pt');
    writeTorchZip(f, { dict: [['w', { tensor: bad }]] });
    await expect(readTorchCheckpoint(f)).rejects.toThrow(/tensor w reaches element 5 of storage 0, which holds 4/);
  });

  it('detects a damaged storage by its CRC-32', async () => {
    const f = file('damaged.pt');
    writeTorchZip(f, { dict: [['w', { tensor: tensor('float32', '0', [4], [1, 2, 3, 4]) }]] });
    const bytes = fs.readFileSync(f);
    const at = bytes.indexOf(Buffer.from(new Float32Array([1, 2, 3, 4]).buffer));
    bytes[at + 5] = bytes[at + 5]! ^ 0xff;
    fs.writeFileSync(f, bytes);
    await expect(readTorchCheckpoint(f)).rejects.toThrow(/archive\/data\/0 fails its CRC-32 check/);
  });

  it('refuses int64 values that do not fit in int32', async () => {
    const f = file('big.pt');
    writeTorchZip(f, { dict: [['n', { tensor: tensor('int64', '0', [2], [1, 2 ** 40]) }]] });
    await expect(readTorchCheckpoint(f)).rejects.toThrow(/tensor n \(int64\) holds 1099511627776 at element 1/);
  });

  it('refuses TorchScript archives and the legacy format with an explanation', async () => {
    const jit = file('ViT-B-32.pt');
    writeTorchZip(jit, { dict: [] }, { archive: 'ViT-B-32', extra: [{ name: 'ViT-B-32/constants.pkl', data: picklePy({ tuple: [] }) }, { name: 'ViT-B-32/code/__torch__/model.py', data: Buffer.from('class CLIP: ...') }] });
    await expect(readTorchCheckpointInfo(jit)).rejects.toThrow(/TorchScript archive.*clipwb models pull openai\/clip-vit-base-patch32/s);

    const legacy = file('legacy.pt');
    fs.writeFileSync(legacy, Buffer.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e]));
    expect(sniffWeightsFormat(legacy)).toBe('torch-legacy');
    await expect(readTorchCheckpointInfo(legacy)).rejects.toThrow(/legacy serialization \(PyTorch < 1\.6/);

    const notZip = file('zip-without-pkl.pt');
    fs.writeFileSync(notZip, zipStored([{ name: 'a/readme.txt', data: Buffer.from('hi') }]));
    await expect(readTorchCheckpointInfo(notZip)).rejects.toBeInstanceOf(TorchCheckpointError);
  });
});

describe('the restricted unpickler', () => {
  const marker = path.join(dir, 'pwned');

  /** GLOBAL os.system; ('touch <marker>',) ; REDUCE: what a `__reduce__` returning (os.system, (cmd,)) pickles to. */
  function osSystemPickle(): Buffer {
    const cmd = Buffer.from(`touch ${marker}`, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32LE(cmd.length);
    return Buffer.concat([
      Buffer.from([0x80, 0x02]),
      Buffer.from('cos\nsystem\n', 'latin1'), // GLOBAL os.system
      Buffer.from([0x71, 0x00, 0x58]), len, cmd, // BINPUT 0, BINUNICODE cmd
      Buffer.from([0x85, 0x52, 0x2e]), // TUPLE1, REDUCE, STOP
    ]);
  }

  it('refuses a __reduce__ calling os.system, names the global and runs nothing', async () => {
    expect(() => unpickle(osSystemPickle())).toThrow(UnsafePickleError);
    expect(() => unpickle(osSystemPickle())).toThrow(/global os\.system/);
    // The same inside a .pt archive, as the state dict's value.
    const f = file('evil.pt');
    writeTorchZip(f, { dict: [] }, { pickle: osSystemPickle() });
    const err = await readTorchCheckpoint(f).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsafePickleError);
    expect((err as UnsafePickleError).global).toBe('os.system');
    expect((err as Error).message).toContain(f);
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('refuses STACK_GLOBAL builtins.eval and objects built with NEWOBJ', () => {
    // SHORT_BINUNICODE "builtins", SHORT_BINUNICODE "eval", STACK_GLOBAL
    const evil = Buffer.concat([Buffer.from([0x80, 0x04, 0x8c, 8]), Buffer.from('builtins'), Buffer.from([0x8c, 4]), Buffer.from('eval'), Buffer.from([0x93, 0x2e])]);
    expect(() => unpickle(evil)).toThrow(/global builtins\.eval/);
    // A NEWOBJ of an allowed class is still refused: the opcode builds arbitrary objects.
    const newobj = Buffer.concat([Buffer.from([0x80, 0x02]), Buffer.from('ccollections\nOrderedDict\n'), Buffer.from([0x29, 0x81, 0x2e])]);
    expect(() => unpickle(newobj)).toThrow(/opcode NEWOBJ .* refused/);
    // A storage type may be named, but not called.
    const callStorage = Buffer.concat([Buffer.from([0x80, 0x02]), Buffer.from('ctorch\nFloatStorage\n'), Buffer.from([0x29, 0x52, 0x2e])]);
    expect(() => unpickle(callStorage)).toThrow(/global torch\.FloatStorage/);
    // Other storage types are refused by name too.
    const intStorage = Buffer.concat([Buffer.from([0x80, 0x02]), Buffer.from('ctorch\nIntStorage\n'), Buffer.from([0x2e])]);
    expect(() => unpickle(intStorage)).toThrow(/global torch\.IntStorage/);
  });

  it('reads plain containers and scalars', () => {
    const v = unpickle(picklePy({ dict: [['a', [1, -5, 70000, { int: 2 ** 40 }]], ['b', { tuple: [0.5, null, true, false] }], ['c', 'héllo']] })) as Map<string, unknown>;
    expect(v.get('a')).toEqual([1, -5, 70000, 2 ** 40]);
    const b = v.get('b') as { items: unknown[] };
    expect(b.items).toEqual([0.5, null, true, false]);
    expect(v.get('c')).toBe('héllo');
    const t = (unpickle(picklePy({ tensor: tensor('float32', '0', [2, 2], [1, 2, 3, 4]) })) as TensorRef);
    expect(t).toBeInstanceOf(TensorRef);
    expect([t.dtype, t.shape, t.stride, t.storage.key]).toEqual(['F32', [2, 2], [2, 1], '0']);
  });

  it('reports truncation and garbage clearly', () => {
    const good = picklePy({ dict: [['a', 1]] });
    expect(() => unpickle(good.subarray(0, good.length - 3))).toThrow(PickleError);
    expect(() => unpickle(Buffer.from([0x80, 0x02, 0xff]))).toThrow(/unknown pickle opcode 0xff/);
  });
});
