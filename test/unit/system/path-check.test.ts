import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { braceEnds, checkTrainDataPath } from '../../../src-main/runs/train-data-check';
import { encodeHeader } from '../../../src-worker/data/tar/header';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipwb-pathcheck-'));
  // A tar with one empty member: the check reads the first header block.
  const tar = Buffer.concat([encodeHeader({ name: 'x.txt', size: 0 }), Buffer.alloc(1024)]);
  for (const n of ['000', '001', '002']) fs.writeFileSync(path.join(dir, `${n}.tar`), tar);
  fs.writeFileSync(path.join(dir, 'empty.tar'), '');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('checking the training data a user types', () => {
  it('expands the ends of a brace range, keeping the zero padding', () => {
    expect(braceEnds('/d/{000..139}.tar')).toEqual(['/d/000.tar', '/d/139.tar']);
    expect(braceEnds('/d/x.tar')).toEqual(['/d/x.tar']);
  });
  it('accepts built-in sets, URLs, existing files, folders and complete shard ranges', () => {
    expect(checkTrainDataPath('builtin:fashion-mnist')).toBeNull();
    expect(checkTrainDataPath('https://example.org/{000..009}.tar')).toBeNull();
    expect(checkTrainDataPath(dir)).toBeNull();
    expect(checkTrainDataPath(path.join(dir, '001.tar'))).toBeNull();
    expect(checkTrainDataPath(path.join(dir, '{000..002}.tar'))).toBeNull();
    expect(checkTrainDataPath(`${path.join(dir, '000.tar')}::${path.join(dir, '002.tar')}`)).toBeNull();
    expect(checkTrainDataPath('001.tar', dir)).toBeNull();
  });
  it('names what is missing and how to fix it', () => {
    expect(checkTrainDataPath('/nonexistent/clipwb/shards')).toMatch(/^\/nonexistent\/clipwb\/shards does not exist: give an existing shard file/);
    expect(checkTrainDataPath('/nonexistent/clipwb/{000..009}.tar')).toMatch(/^folder \/nonexistent\/clipwb does not exist/);
    expect(checkTrainDataPath(path.join(dir, '{000..005}.tar'))).toBe(`${path.join(dir, '005.tar')} does not exist: check the shard range`);
    expect(checkTrainDataPath('missing.tar', dir)).toContain(`relative paths start at ${dir}`);
  });
  it('says a file that is not a tar shard is not one, and what is expected', () => {
    expect(checkTrainDataPath('/etc/passwd')).toMatch(/^\/etc\/passwd is not a tar shard \(it does not start with a tar header\); expected webdataset \.tar shards: one \.tar file, a brace pattern/);
    expect(checkTrainDataPath(path.join(dir, 'empty.tar'))).toMatch(/empty\.tar is not a tar shard \(it is empty\)/);
  });
});
