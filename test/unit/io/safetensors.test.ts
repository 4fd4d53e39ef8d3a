import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readSafetensors, readSafetensorsHeader, writeSafetensors, SafetensorsError } from '../../../src-worker/io/safetensors';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipwb-st-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Builds a safetensors file by hand: header object + raw data bytes, exactly as given. */
function handMade(name: string, header: Record<string, unknown>, data: Uint8Array, headerLenOverride?: bigint): string {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(headerLenOverride ?? BigInt(json.length));
  const file = path.join(dir, name);
  fs.writeFileSync(file, Buffer.concat([len, json, data]));
  return file;
}

describe('safetensors write and read', () => {
  it('round-trips F32 and I32 tensors and string metadata, data section 8-byte aligned', async () => {
    const file = path.join(dir, 'round.safetensors');
    const a = Float32Array.from([1.5, -2, 3.25, 0, Math.PI, -0]);
    const b = Int32Array.from([7, -8, 2147483647]);
    const scalar = Float32Array.from([2.6592600345611572]);
    await writeSafetensors(
      file,
      [
        { name: 'a.weight', shape: [2, 3], data: a },
        { name: 'idx', shape: [3], data: b },
        { name: 'logit_scale', shape: [], data: () => scalar, dtype: 'F32' },
      ],
      { format: 'pt', epoch: '3' },
    );
    const header = await readSafetensorsHeader(file);
    expect(header.dataStart % 8).toBe(0);
    expect(header.entries.map((e) => [e.name, e.dtype, e.shape, e.begin, e.end])).toEqual([
      ['a.weight', 'F32', [2, 3], 0, 24],
      ['idx', 'I32', [3], 24, 36],
      ['logit_scale', 'F32', [], 36, 40],
    ]);
    const { tensors, metadata } = await readSafetensors(file);
    expect(metadata).toEqual({ format: 'pt', epoch: '3' });
    expect(tensors.get('a.weight')!.data).toEqual(a);
    expect(tensors.get('a.weight')!.shape).toEqual([2, 3]);
    expect(tensors.get('idx')!.data).toEqual(b);
    expect(tensors.get('logit_scale')!.shape).toEqual([]);
    expect(tensors.get('logit_scale')!.data).toEqual(scalar);
    const only = await readSafetensors(file, { names: ['idx'] });
    expect([...only.tensors.keys()]).toEqual(['idx']);
    await expect(readSafetensors(file, { names: ['nope'] })).rejects.toThrow(/has no tensor named "nope"/);
  });

  it('converts F16 and BF16 to float32 and I64 to int32', async () => {
    // F16: 1, -2, 0.5, 65504 (max), 2^-24 (smallest subnormal), +inf
    const f16 = Uint16Array.from([0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x7c00]);
    // BF16: upper halves of float32 1.0 (0x3f800000), -3.5 (0xc0600000), 0.15625 (0x3e200000)
    const bf16 = Uint16Array.from([0x3f80, 0xc060, 0x3e20]);
    const i64 = BigInt64Array.from([5n, -6n, 2147483647n]);
    const bytes = Buffer.concat([Buffer.from(f16.buffer), Buffer.from(bf16.buffer), Buffer.from(i64.buffer)]);
    const file = handMade('mixed.safetensors', {
      h: { dtype: 'F16', shape: [6], data_offsets: [0, 12] },
      b: { dtype: 'BF16', shape: [3], data_offsets: [12, 18] },
      l: { dtype: 'I64', shape: [3], data_offsets: [18, 42] },
    }, bytes);
    const { tensors } = await readSafetensors(file);
    expect(Array.from(tensors.get('h')!.data)).toEqual([1, -2, 0.5, 65504, 2 ** -24, Infinity]);
    expect(tensors.get('h')!.data).toBeInstanceOf(Float32Array);
    expect(tensors.get('h')!.sourceDtype).toBe('F16');
    expect(Array.from(tensors.get('b')!.data)).toEqual([1, -3.5, 0.15625]);
    expect(tensors.get('l')!.data).toEqual(Int32Array.from([5, -6, 2147483647]));
  });

  it('refuses I64 values that do not fit in int32', async () => {
    const file = handMade('big.safetensors', { l: { dtype: 'I64', shape: [2], data_offsets: [0, 16] } }, Buffer.from(BigInt64Array.from([1n, 1n << 40n]).buffer));
    await expect(readSafetensors(file)).rejects.toThrow(/big\.safetensors: tensor "l" \(I64\) holds 1099511627776 at element 1, which does not fit in int32/);
  });
});

describe('safetensors validation names the file and the problem', () => {
  const four = new Uint8Array(16);

  it('a file too short or with a header length beyond the file', async () => {
    const tiny = path.join(dir, 'tiny.bin');
    fs.writeFileSync(tiny, Buffer.from([1, 2, 3]));
    await expect(readSafetensors(tiny)).rejects.toThrow(/tiny\.bin: not a safetensors file: 3 bytes/);
    const file = handMade('longhdr.safetensors', {}, four, 10_000n);
    await expect(readSafetensors(file)).rejects.toThrow(/longhdr\.safetensors: .*header length 10000 is beyond the file size/);
  });

  it('a header that is not JSON', async () => {
    const file = path.join(dir, 'notjson.safetensors');
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(5n);
    fs.writeFileSync(file, Buffer.concat([len, Buffer.from('hello')]));
    await expect(readSafetensors(file)).rejects.toThrow(/notjson\.safetensors: not a safetensors file: the header is not a JSON object/);
    const broken = path.join(dir, 'broken.safetensors');
    len.writeBigUInt64LE(6n);
    fs.writeFileSync(broken, Buffer.concat([len, Buffer.from('{"a":}')]));
    await expect(readSafetensors(broken)).rejects.toThrow(/broken\.safetensors: not a safetensors file: the header is not valid JSON/);
  });

  it('truncated data', async () => {
    const file = handMade('trunc.safetensors', { w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, new Uint8Array(10));
    await expect(readSafetensors(file)).rejects.toThrow(/trunc\.safetensors: truncated or offsets out of range: tensor "w" ends at data byte 16, but the file holds only 10/);
  });

  it('overlapping tensors', async () => {
    const file = handMade('overlap.safetensors', {
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
    }, four);
    await expect(readSafetensors(file)).rejects.toThrow(/overlap\.safetensors: tensors "a" and "b" overlap/);
  });

  it('offsets that disagree with the shape, or are not integers', async () => {
    const file = handMade('span.safetensors', { a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, four);
    await expect(readSafetensors(file)).rejects.toThrow(/span\.safetensors: tensor "a" data_offsets \[0, 8\] span 8 bytes, but F32 \[3\] needs 12/);
    const neg = handMade('neg.safetensors', { a: { dtype: 'F32', shape: [1], data_offsets: [-4, 0] } }, four);
    await expect(readSafetensors(neg)).rejects.toThrow(/neg\.safetensors: tensor "a" has invalid data_offsets/);
  });

  it('an unknown dtype or bad metadata', async () => {
    const file = handMade('f64.safetensors', { a: { dtype: 'F64', shape: [2], data_offsets: [0, 16] } }, four);
    await expect(readSafetensors(file)).rejects.toThrow(/f64\.safetensors: tensor "a" has dtype "F64", which is not supported \(supported: F32, F16, BF16, I32, I64\)/);
    const meta = handMade('meta.safetensors', { __metadata__: { epoch: 3 } }, new Uint8Array(0));
    await expect(readSafetensors(meta)).rejects.toThrow(SafetensorsError);
    await expect(readSafetensors(meta)).rejects.toThrow(/__metadata__\.epoch is not a string/);
  });

  it('refuses to write inconsistent tensors and leaves the old file in place', async () => {
    const file = path.join(dir, 'keep.safetensors');
    await writeSafetensors(file, [{ name: 'x', shape: [1], data: Float32Array.from([42]) }]);
    await expect(writeSafetensors(file, [{ name: 'x', shape: [2], data: Float32Array.from([1]) }])).rejects.toThrow(/"x" has 1 values but shape \[2\] needs 2/);
    await expect(writeSafetensors(file, [{ name: 'x', shape: [1], data: () => { throw new Error('boom'); }, dtype: 'F32' }])).rejects.toThrow('boom');
    await expect(writeSafetensors(file, [{ name: 'x', shape: [1], data: Float32Array.from([1]) }, { name: 'x', shape: [1], data: Float32Array.from([1]) }])).rejects.toThrow(/listed twice/);
    expect((await readSafetensors(file)).tensors.get('x')!.data).toEqual(Float32Array.from([42]));
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
