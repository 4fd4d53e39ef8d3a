import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dataLayout, defaultDataDir, ensureDir, resolveDataDir } from '../../../src-main/paths';

describe('data folder', () => {
  it('defaults per OS', () => {
    expect(defaultDataDir('linux', {}, '/home/ada')).toBe('/home/ada/.local/share/clip-workbench');
    expect(defaultDataDir('linux', { XDG_DATA_HOME: '/data/xdg' }, '/home/ada')).toBe('/data/xdg/clip-workbench');
    // XDG says relative values are invalid and must be ignored.
    expect(defaultDataDir('linux', { XDG_DATA_HOME: 'rel/xdg' }, '/home/ada')).toBe('/home/ada/.local/share/clip-workbench');
    expect(defaultDataDir('darwin', {}, '/Users/ada')).toBe('/Users/ada/Library/Application Support/CLIP Workbench');
    expect(defaultDataDir('win32', { APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' }, 'C:\\Users\\ada')).toBe(
      'C:\\Users\\ada\\AppData\\Roaming\\CLIP Workbench',
    );
    expect(defaultDataDir('win32', {}, 'C:\\Users\\ada')).toBe('C:\\Users\\ada\\AppData\\Roaming\\CLIP Workbench');
  });

  it('the flag beats CLIPWB_HOME, which beats the default', () => {
    const env = { CLIPWB_HOME: '/srv/clipwb', XDG_DATA_HOME: '/data/xdg' };
    const common = { platform: 'linux' as const, homedir: '/home/ada', cwd: '/work' };
    expect(resolveDataDir({ ...common, env, flag: '/mnt/fast' })).toBe('/mnt/fast');
    expect(resolveDataDir({ ...common, env })).toBe('/srv/clipwb');
    expect(resolveDataDir({ ...common, env: { CLIPWB_HOME: '  ' } })).toBe('/home/ada/.local/share/clip-workbench');
    expect(resolveDataDir({ ...common, env: {}, flag: 'rel/dir' })).toBe('/work/rel/dir');
    expect(resolveDataDir({ ...common, env: {}, flag: '~/wb' })).toBe('/home/ada/wb');
    expect(() => resolveDataDir({ ...common, env: {}, flag: '' })).toThrow(/--data-dir/);
  });

  it('lays out the folder and refuses run ids that would escape it', () => {
    const layout = dataLayout('/d');
    expect(layout.database).toBe('/d/clipwb.sqlite');
    expect(layout.runCheckpoints('20261126-run-ab12')).toBe('/d/runs/20261126-run-ab12/checkpoints');
    expect(layout.runLogs('r1')).toBe('/d/runs/r1/logs');
    expect(layout.runEvalResults('r1')).toBe('/d/runs/r1/eval_results');
    expect([layout.datasets, layout.models, layout.downloads, layout.cudaCache]).toEqual([
      '/d/datasets',
      '/d/models',
      '/d/downloads',
      '/d/cuda-cache',
    ]);
    for (const bad of ['../etc', 'a/b', '', '.hidden', 'x'.repeat(200)]) {
      expect(() => layout.runDir(bad)).toThrow(/run id/);
    }
  });

  describe('on disk', () => {
    let tmp = '';
    afterEach(() => {
      if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it('computing paths creates nothing; ensureDir creates on demand', () => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clipwb-paths-'));
      const layout = dataLayout(path.join(tmp, 'home'));
      const dir = layout.runCheckpoints('r1');
      expect(fs.existsSync(layout.root)).toBe(false);
      expect(ensureDir(dir)).toBe(dir);
      expect(fs.statSync(dir).isDirectory()).toBe(true);
      fs.writeFileSync(path.join(tmp, 'file'), '');
      expect(() => ensureDir(path.join(tmp, 'file', 'sub'))).toThrow(/cannot create folder/);
    });
  });
});
