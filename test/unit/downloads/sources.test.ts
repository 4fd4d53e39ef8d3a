import { describe, expect, it } from 'vitest';
import { driveIdFrom } from '../../../src-main/downloads/sources/gdrive-endpoints';
import { decodeJsString, interpretDriveDownloadPage, parseDriveFolderPage } from '../../../src-main/downloads/sources/gdrive-page';
import { evalsetRepoId, isEvalsetFile } from '../../../src-main/downloads/sources/hf-evalsets';
import { hubConfigFromEnv, hubFileUrl } from '../../../src-main/downloads/sources/hf-hub';
import { expandNumericBraces, parseUrlList } from '../../../src-main/downloads/sources/url-list';
import { chooseModelFiles } from '../../../src-main/models/choose-files';

describe('hub URLs', () => {
  const hub = { endpoint: 'https://huggingface.co', token: null };
  it('builds model and dataset resolve URLs, encoding the revision as one segment', () => {
    expect(hubFileUrl({ repo: 'openai/clip-vit-base-patch32' }, 'model.safetensors', hub)).toBe('https://huggingface.co/openai/clip-vit-base-patch32/resolve/main/model.safetensors');
    expect(hubFileUrl({ repo: 'djghosh/wds_cars_test', type: 'dataset', revision: 'refs/pr/1' }, 'test/0.tar', hub)).toBe('https://huggingface.co/datasets/djghosh/wds_cars_test/resolve/refs%2Fpr%2F1/test/0.tar');
    expect(hubFileUrl({ repo: 'org/m' }, 'dir/a b#.txt', hub)).toBe('https://huggingface.co/org/m/resolve/main/dir/a%20b%23.txt');
    expect(() => hubFileUrl({ repo: 'org/m' }, '../x', hub)).toThrow(/without "\.\."/);
  });

  it('reads HF_ENDPOINT and HF_TOKEN', () => {
    expect(hubConfigFromEnv({})).toEqual({ endpoint: 'https://huggingface.co', token: null });
    expect(hubConfigFromEnv({ HF_ENDPOINT: 'http://127.0.0.1:9/', HF_TOKEN: ' hf_x ' })).toEqual({ endpoint: 'http://127.0.0.1:9', token: 'hf_x' });
  });

  it('maps DataComp task keys to eval set repos and files', () => {
    expect(evalsetRepoId('imagenet1k')).toBe('djghosh/wds_imagenet1k_test');
    expect(evalsetRepoId('vtab/cifar100')).toBe('djghosh/wds_vtab-cifar100_test');
    expect(evalsetRepoId('fairness/dollar_street')).toBe('djghosh/wds_dollar_street_test');
    expect(['classnames.txt', 'test/nshards.txt', 'test/12.tar', 'README.md', 'train/0.tar'].map(isEvalsetFile)).toEqual([true, true, true, false, false]);
  });
});

describe('model file choice', () => {
  const f = (path: string) => ({ path, size: 1, sha256: null, lfs: false });
  it('picks the best weights and the side files present', () => {
    const choice = chooseModelFiles('o/n', [f('open_clip_pytorch_model.bin'), f('model.safetensors'), f('config.json'), f('merges.txt'), f('README.md')]);
    expect(choice.weights).toMatchObject({ format: 'hf-transformers-safetensors', file: { path: 'model.safetensors' } });
    expect(choice.files.map((x) => x.path)).toEqual(['model.safetensors', 'config.json', 'merges.txt']);
    expect(chooseModelFiles('o/n', [f('open_clip_pytorch_model.bin'), f('open_clip_config.json')]).weights.format).toBe('open_clip-pytorch-bin');
  });

  it('explains a repository without a config', () => {
    expect(() => chooseModelFiles('o/n', [f('model.safetensors')])).toThrow(/no config\.json/);
  });

  it('takes a repository of PyTorch checkpoints: its only .pt, or the one --file names', () => {
    const one = chooseModelFiles('seed/ckpts', [f('README.md'), f('fastclip_v3/epoch_30.pt')]);
    expect(one.weights).toMatchObject({ format: 'torch-pt', file: { path: 'fastclip_v3/epoch_30.pt' } });
    expect(one.files.map((x) => x.path)).toEqual(['fastclip_v3/epoch_30.pt']);
    const many = [f('a/epoch_30.pt'), f('b/epoch_30.pt'), f('bpe_simple_vocab_16e6.txt.gz')];
    expect(() => chooseModelFiles('seed/ckpts', many)).toThrow(/several PyTorch checkpoints \(a\/epoch_30\.pt, b\/epoch_30\.pt\); choose one with --file/);
    const picked = chooseModelFiles('seed/ckpts', many, { file: 'b/epoch_30.pt' });
    expect(picked.files.map((x) => x.path)).toEqual(['b/epoch_30.pt', 'bpe_simple_vocab_16e6.txt.gz']);
    expect(() => chooseModelFiles('seed/ckpts', many, { file: 'c/epoch_30.pt' })).toThrow(/has no file c\/epoch_30\.pt \(its PyTorch files: a\/epoch_30\.pt, b\/epoch_30\.pt\)/);
  });
});

describe('URL lists', () => {
  it('expands zero-padded numeric ranges', () => {
    expect(expandNumericBraces('https://h/s/{00008..00011}.tar')).toEqual(['https://h/s/00008.tar', 'https://h/s/00009.tar', 'https://h/s/00010.tar', 'https://h/s/00011.tar']);
    expect(expandNumericBraces('https://h/{1..2}/{0..1}')).toEqual(['https://h/1/0', 'https://h/1/1', 'https://h/2/0', 'https://h/2/1']);
    expect(() => expandNumericBraces('https://h/{5..1}')).toThrow(/counts down/);
  });

  it('reads URLs with checksums, sizes and names, and refuses duplicates and unsafe names', () => {
    const sha = 'ab'.repeat(32);
    expect(parseUrlList(`# shards\nhttps://h/a.tar sha256:${sha.toUpperCase()} size:12\n\nhttps://h/dl?id=3 name:b.tar\n`)).toEqual([
      { url: 'https://h/a.tar', name: 'a.tar', sha256: sha, size: 12 },
      { url: 'https://h/dl?id=3', name: 'b.tar', sha256: null, size: null },
    ]);
    expect(() => parseUrlList('https://h/a.tar\nhttps://g/a.tar\n')).toThrow(/line 2: "a\.tar" is also the file name of line 1/);
    expect(() => parseUrlList('https://h/x name:../etc/passwd')).toThrow(/no usable file name/);
    expect(() => parseUrlList('ftp://h/x')).toThrow(/Only http/);
    expect(() => parseUrlList('https://h/x md5:abc')).toThrow(/line 1: cannot read "md5:abc"/);
  });
});

describe('Google Drive pages', () => {
  it('decodes the escaped JS string that carries a folder listing', () => {
    expect(decodeJsString('\\x5b\\x22a\\/b\\x22,\\u00e9\\n\\\'\\x5d')).toBe('["a/b",é\n\']');
  });

  it('lists files and sub-folders from _DRIVE_ivd', () => {
    const json = JSON.stringify([[['1AAAAAAAAAAAAAAAAAAAA', ['F'], 'part00.tar', 'application/x-tar'], ['1BBBBBBBBBBBBBBBBBBBB', ['F'], 'sub', 'application/vnd.google-apps.folder']], null]);
    const escaped = json.replace(/"/g, '\\x22').replace(/\[/g, '\\x5b').replace(/\]/g, '\\x5d');
    const items = parseDriveFolderPage(`<script>window['_DRIVE_ivd'] = '${escaped}';</script>`);
    expect(items).toEqual([
      { id: '1AAAAAAAAAAAAAAAAAAAA', name: 'part00.tar', mimeType: 'application/x-tar' },
      { id: '1BBBBBBBBBBBBBBBBBBBB', name: 'sub', mimeType: 'application/vnd.google-apps.folder' },
    ]);
    expect(parseDriveFolderPage('<html>no listing</html>')).toBeNull();
  });

  it('lists files from the embedded folder view', () => {
    const html =
      '<div class="flip-entry" id="entry-1CCCCCCCCCCCCCCCCCCCC" tabindex="0"><a href="https://drive.google.com/file/d/1CCCCCCCCCCCCCCCCCCCC/view?usp=drive_web"><div class="flip-entry-title">part&#39;01.tar</div></a></div>' +
      '<div class="flip-entry" id="entry-1DDDDDDDDDDDDDDDDDDDD" tabindex="0"><a href="https://drive.google.com/drive/folders/1DDDDDDDDDDDDDDDDDDDD"><div class="flip-entry-title">more</div></a></div>';
    expect(parseDriveFolderPage(html)).toEqual([
      { id: '1CCCCCCCCCCCCCCCCCCCC', name: "part'01.tar", mimeType: null },
      { id: '1DDDDDDDDDDDDDDDDDDDD', name: 'more', mimeType: 'application/vnd.google-apps.folder' },
    ]);
  });

  it('finds the way past the interstitial: the form, an older confirm link, or the warning cookie', () => {
    const form =
      '<form id="download-form" action="https://drive.usercontent.google.com/download" method="get"><input type="submit" value="Download anyway"/><input type="hidden" name="id" value="1XYZ"><input type="hidden" name="export" value="download"><input type="hidden" name="confirm" value="t"><input type="hidden" name="uuid" value="u-1"></form>';
    expect(interpretDriveDownloadPage(form, 'https://drive.usercontent.google.com/download?id=1XYZ&export=download')).toEqual({
      kind: 'confirm',
      url: 'https://drive.usercontent.google.com/download?id=1XYZ&export=download&confirm=t&uuid=u-1',
    });
    expect(interpretDriveDownloadPage('<a id="uc-download-link" href="/uc?export=download&amp;confirm=AbC1&amp;id=1XYZ">Download anyway</a>', 'https://drive.google.com/uc?id=1XYZ')).toEqual({
      kind: 'confirm',
      url: 'https://drive.google.com/uc?export=download&confirm=AbC1&id=1XYZ',
    });
    expect(interpretDriveDownloadPage('<html><title>Google Drive</title></html>', 'https://drive.google.com/uc?id=1XYZ&export=download', 'tok')).toEqual({
      kind: 'confirm',
      url: 'https://drive.google.com/uc?id=1XYZ&export=download&confirm=tok',
    });
  });

  it('recognises quota, sign-in and unknown pages', () => {
    expect(interpretDriveDownloadPage('<title>Google Drive - Quota exceeded</title>', 'https://d/x').kind).toBe('quota');
    expect(interpretDriveDownloadPage('<a href="https://accounts.google.com/ServiceLogin?x">Sign in</a>', 'https://d/x').kind).toBe('sign-in');
    expect(interpretDriveDownloadPage('<title>Something</title>', 'https://d/x')).toEqual({ kind: 'unknown', title: 'Something' });
  });

  it('takes an id or a link', () => {
    expect(driveIdFrom('https://drive.google.com/drive/folders/1SEhMped23ACVRzNIdgo4aI81rONqnbzi?usp=sharing')).toBe('1SEhMped23ACVRzNIdgo4aI81rONqnbzi');
    expect(driveIdFrom('https://drive.google.com/file/d/1abcdefghijk/view')).toBe('1abcdefghijk');
    expect(driveIdFrom('https://drive.google.com/uc?export=download&id=1abcdefghijk')).toBe('1abcdefghijk');
    expect(driveIdFrom('short')).toBeNull();
  });
});
