import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileByteSource } from '../../../src-worker/data/tar/byte-source';
import { readTar } from '../../../src-worker/data/tar/reader';
import { TarFileWriter } from '../../../src-worker/data/tar/writer';

let root: string;
const files: Record<string, Buffer> = {};

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'clipwb-tar-'));
  const src = path.join(root, 'src');
  const names = [
    '000000001.jpg',
    '000000001.txt',
    `deep/${'d'.repeat(60)}/${'e'.repeat(60)}/000000002.json`,
    `${'n'.repeat(130)}.txt`,
    'üñíçødé/000000003.txt',
    'big.bin',
    'empty.txt',
  ];
  for (const [i, name] of names.entries()) {
    const data = name === 'big.bin' ? Buffer.from(Array.from({ length: 70_000 }, (_, k) => (k * 13 + i) % 256)) : name === 'empty.txt' ? Buffer.alloc(0) : Buffer.from(`content of ${name}\n`);
    mkdirSync(path.dirname(path.join(src, name)), { recursive: true });
    writeFileSync(path.join(src, name), data);
    files[name] = data;
  }
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

async function readMembers(tarFile: string): Promise<{ members: Record<string, Buffer>; defects: string[] }> {
  const members: Record<string, Buffer> = {};
  const defects: string[] = [];
  const source = await FileByteSource.open(tarFile, 4096);
  try {
    for await (const e of readTar(source, { onDefect: (k, d) => defects.push(`${k} ${d}`) })) if (e.data) members[e.name] = e.data;
  } finally {
    await source.close();
  }
  return { members, defects };
}

describe('tar reader on archives written by GNU tar', () => {
  for (const format of ['gnu', 'ustar', 'pax', 'oldgnu']) {
    it(`reads --format=${format}, including long and non-ASCII names`, async () => {
      const tarFile = path.join(root, `${format}.tar`);
      const names = Object.keys(files).filter((n) => format !== 'ustar' || Buffer.byteLength(n) <= 100 || n.startsWith('deep/'));
      execFileSync('tar', [`--format=${format}`, '-cf', tarFile, '-C', path.join(root, 'src'), ...names]);
      const { members, defects } = await readMembers(tarFile);
      expect(defects).toEqual([]);
      expect(Object.keys(members).sort()).toEqual([...names].sort());
      for (const name of names) expect(members[name]?.equals(files[name] as Buffer), name).toBe(true);
    });
  }

  it('writes archives that GNU tar lists and extracts identically', () => {
    const tarFile = path.join(root, 'ours.tar');
    const writer = new TarFileWriter(tarFile);
    for (const [name, data] of Object.entries(files)) writer.add({ name, data });
    writer.close();
    const listed = execFileSync('tar', ['-tf', tarFile], { encoding: 'utf8' }).trim().split('\n');
    expect(listed.sort()).toEqual(Object.keys(files).sort());
    const out = path.join(root, 'extracted');
    mkdirSync(out);
    execFileSync('tar', ['-xf', tarFile, '-C', out]);
    for (const [name, data] of Object.entries(files)) expect(readFileSync(path.join(out, name)).equals(data), name).toBe(true);
  });
});
