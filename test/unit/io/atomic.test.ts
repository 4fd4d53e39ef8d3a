import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withAtomicFile, writeFileAtomic } from '../../../src-worker/io/atomic';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipwb-atomic-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('atomic writes', () => {
  it('replaces the file with the complete new content', async () => {
    const file = path.join(dir, 'a.json');
    await writeFileAtomic(file, 'old');
    await writeFileAtomic(file, 'new content');
    expect(fs.readFileSync(file, 'utf8')).toBe('new content');
    expect(fs.readdirSync(dir)).toEqual(['a.json']);
  });

  it('keeps the old file and removes the temporary one when writing fails midway', async () => {
    const file = path.join(dir, 'b.bin');
    await writeFileAtomic(file, 'intact');
    await expect(
      withAtomicFile(file, async (handle) => {
        await handle.write('partial');
        // while writing, the target still holds the old content
        expect(fs.readFileSync(file, 'utf8')).toBe('intact');
        throw new Error('disk on fire');
      }),
    ).rejects.toThrow('disk on fire');
    expect(fs.readFileSync(file, 'utf8')).toBe('intact');
    expect(fs.readdirSync(dir).filter((f) => f.includes('b.bin'))).toEqual(['b.bin']);
  });

  it('fails clearly when the folder does not exist', async () => {
    await expect(writeFileAtomic(path.join(dir, 'missing', 'c.txt'), 'x')).rejects.toThrow(/ENOENT/);
  });
});
