import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { removeAbandonedTempFiles, withAtomicFile, writeFileAtomic } from '../../../src-worker/io/atomic';

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

  it('removes the temporary file a writer killed mid-write left behind, and not one being written now', async () => {
    const sub = path.join(dir, 'killed');
    fs.mkdirSync(sub);
    const target = path.join(sub, 'epoch_1.safetensors');
    // A real writer process, killed with SIGKILL while its temporary file is open and half written.
    const atomicUrl = new URL('../../../src-worker/io/atomic.ts', import.meta.url).href;
    const script = `import { withAtomicFile } from ${JSON.stringify(atomicUrl)};
      await withAtomicFile(${JSON.stringify(target)}, async (h) => { await h.write(Buffer.alloc(1 << 20)); process.stdout.write('writing\\n'); await new Promise(() => {}); });`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.on('data', () => resolve()));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    const left = fs.readdirSync(sub);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(new RegExp(`^\\.epoch_1\\.safetensors\\.${child.pid}\\.[0-9a-f]{8}\\.tmp$`));

    // While this process writes another file, its temporary file survives the sweep.
    let during: string[] = [];
    await withAtomicFile(path.join(sub, 'epoch_2.safetensors'), async (h) => {
      await h.write('x');
      during = removeAbandonedTempFiles(sub);
      expect(fs.readdirSync(sub).some((n) => n.startsWith('.epoch_2.safetensors.'))).toBe(true);
    });
    expect(during).toEqual([path.join(sub, left[0]!)]);
    expect(fs.readdirSync(sub)).toEqual(['epoch_2.safetensors']);
    expect(removeAbandonedTempFiles(path.join(dir, 'no-such-folder'))).toEqual([]);
  });
});
