import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { StreamByteSource } from '../../../src-worker/data/tar/byte-source';
import { encodeHeader, parsePaxRecords, encodePaxRecords } from '../../../src-worker/data/tar/header';
import { readTar, type TarDefect, type TarEntry } from '../../../src-worker/data/tar/reader';
import { encodeMember, tarToBuffer } from '../../../src-worker/data/tar/writer';

/** Feeds the bytes in small uneven chunks so that headers and data straddle chunk boundaries. */
function chunked(bytes: Buffer, chunk = 333): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) parts.push(bytes.subarray(i, i + chunk));
  return Readable.from(parts);
}

async function readAll(bytes: Buffer, chunk?: number): Promise<{ entries: TarEntry[]; defects: [TarDefect, string][] }> {
  const defects: [TarDefect, string][] = [];
  const entries: TarEntry[] = [];
  for await (const e of readTar(new StreamByteSource(chunked(bytes, chunk)), { onDefect: (k, d) => defects.push([k, d]) })) entries.push(e);
  return { entries, defects };
}

describe('tar writer and streaming reader', () => {
  it('round-trips members of any size, including empty and block-sized ones', async () => {
    const members = [
      { name: 'a.txt', data: 'hello' },
      { name: 'empty.bin', data: Buffer.alloc(0) },
      { name: 'block.bin', data: Buffer.alloc(512, 7) },
      { name: 'big.bin', data: Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251)) },
    ];
    const { entries, defects } = await readAll(tarToBuffer(members));
    expect(defects).toEqual([]);
    expect(entries.map((e) => e.name)).toEqual(members.map((m) => m.name));
    entries.forEach((e, i) => expect(e.data?.equals(Buffer.from(members[i]!.data))).toBe(true));
  });

  it('writes long names with the ustar prefix or a pax record and reads them back', async () => {
    const viaPrefix = `${'d'.repeat(120)}/${'f'.repeat(90)}.jpg`;
    const viaPax = `${'x'.repeat(150)}.jpg`;
    const unicode = `été/${'é'.repeat(60)}.txt`;
    const { entries, defects } = await readAll(tarToBuffer([viaPrefix, viaPax, unicode].map((name) => ({ name, data: name }))));
    expect(defects).toEqual([]);
    expect(entries.map((e) => e.name)).toEqual([viaPrefix, viaPax, unicode]);
  });

  it('reads GNU ././@LongLink names', async () => {
    const long = `${'g'.repeat(140)}.png`;
    const nameBytes = Buffer.from(long + '\0');
    const pad = (n: number) => Buffer.alloc((512 - (n % 512)) % 512);
    const bytes = Buffer.concat([
      encodeHeader({ name: '././@LongLink', size: nameBytes.length, type: 'L' }),
      nameBytes,
      pad(nameBytes.length),
      encodeHeader({ name: long.slice(0, 100), size: 3 }),
      Buffer.from('abc'),
      pad(3),
      Buffer.alloc(1024),
    ]);
    const { entries } = await readAll(bytes);
    expect(entries.map((e) => [e.name, e.data?.toString()])).toEqual([[long, 'abc']]);
  });

  it('parses pax records whose length prefix changes digit count', () => {
    const value = 'v'.repeat(93);
    expect(parsePaxRecords(encodePaxRecords({ path: value, size: '12' }))).toEqual(new Map([['path', value], ['size', '12']]));
  });

  it('reports a header with a bad checksum once and resynchronises on the next member', async () => {
    const parts = ['one', 'two', 'three', 'four'].map((n) => encodeMember({ name: `${n}.txt`, data: Buffer.alloc(1500, n.charCodeAt(0)) }));
    const bytes = Buffer.concat([...parts.flat(), Buffer.alloc(1024)]);
    const secondHeader = parts[0]!.reduce((s, b) => s + b.length, 0);
    bytes[secondHeader + 2] = (bytes[secondHeader + 2] as number) ^ 0xff;
    const { entries, defects } = await readAll(bytes);
    expect(entries.map((e) => e.name)).toEqual(['one.txt', 'three.txt', 'four.txt']);
    expect(defects.map(([k]) => k)).toEqual(['corrupt_header']);
  });

  it('reports an archive cut inside a member and ends cleanly', async () => {
    const full = tarToBuffer([
      { name: 'a.txt', data: 'aaa' },
      { name: 'b.bin', data: Buffer.alloc(3000, 1) },
    ]);
    const { entries, defects } = await readAll(full.subarray(0, 512 + 512 + 512 + 1000));
    expect(entries.map((e) => e.name)).toEqual(['a.txt']);
    expect(defects.map(([k]) => k)).toEqual(['truncated']);
    const cutInHeader = await readAll(full.subarray(0, 512 + 512 + 100));
    expect(cutInHeader.defects.map(([k]) => k)).toEqual(['truncated']);
  });

  it('can skip member bytes it does not want', async () => {
    const bytes = tarToBuffer([
      { name: 'x.jpg', data: Buffer.alloc(4000, 9) },
      { name: 'x.cls', data: '3' },
    ]);
    const entries: TarEntry[] = [];
    const source = new StreamByteSource(chunked(bytes, 700));
    for await (const e of readTar(source, { wantData: (name) => name.endsWith('.cls') })) entries.push(e);
    expect(entries.map((e) => [e.name, e.size, e.data?.toString() ?? null])).toEqual([
      ['x.jpg', 4000, null],
      ['x.cls', 1, '3'],
    ]);
  });
});
