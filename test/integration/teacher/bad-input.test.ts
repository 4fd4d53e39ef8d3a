/** Every way the teacher can be wrong fails in loadReferenceModel, before training, naming the flag and the fix. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src-worker/backend/select';
import { ClipTokenizer } from '../../../src-worker/text';
import { loadReferenceModel } from '../../../src-worker/teacher';
import {
  hfConfigJson, randomHfWeights, tempDir, tinyConfig, tinyVocabulary, writeConfigFile, writeHfFolder, writeHfWeights, writePullManifest, writeVocabulary, TINY_MERGES,
} from '../../unit/teacher/fixtures';
import { loadError, studentOptions } from './helpers';

const root = tempDir();
const cfg = tinyConfig();
const good = path.join(root, 'good');
writeHfFolder(good, cfg, 1);

/** A copy of the good HF folder with model.safetensors replaced or edited. */
function variant(name: string, edit: (dir: string) => void): string {
  const dir = path.join(root, name);
  fs.cpSync(good, dir, { recursive: true });
  edit(dir);
  return dir;
}

let tensorsBefore = 0;
beforeAll(async () => {
  await initBackend('wasm');
  tensorsBefore = tf.memory().numTensors;
});
afterAll(() => {
  // A refused teacher leaves nothing allocated.
  expect(tf.memory().numTensors).toBe(tensorsBefore);
  fs.rmSync(root, { recursive: true, force: true });
});

describe('the weights file', () => {
  it('not safetensors', async () => {
    const dir = variant('text', (d) => fs.writeFileSync(path.join(d, 'model.safetensors'), 'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 605157884\n'));
    const e = await loadError(loadReferenceModel({ ...studentOptions(root), pretrained: dir }));
    expect(e.field).toBe('distill-pretrained');
    expect(e.message).toMatch(/model\.safetensors: not a safetensors file/);
    expect(e.message).toMatch(/Download or convert the weights again/);
  });

  it('truncated', async () => {
    const dir = variant('truncated', (d) => {
      const f = path.join(d, 'model.safetensors');
      fs.truncateSync(f, fs.statSync(f).size - 100);
    });
    const e = await loadError(loadReferenceModel({ ...studentOptions(root), pretrained: dir }));
    expect(e.message).toMatch(/truncated/);
  });

  it('missing tensors: names some of them', async () => {
    const dir = variant('missing', (d) => {
      const hf = randomHfWeights(cfg, 1);
      hf.delete('text_model.final_layer_norm.weight');
      hf.delete('vision_model.encoder.layers.1.self_attn.k_proj.weight');
      writeHfWeights(path.join(d, 'model.safetensors'), hf, cfg);
    });
    const e = await loadError(loadReferenceModel({ ...studentOptions(root), pretrained: dir }));
    expect(e.message).toMatch(/missing 2 of \d+ tensors: .*vision_model\.encoder\.layers\.1\.self_attn\.k_proj\.weight.*text_model\.final_layer_norm\.weight/);
  });

  it('a wrong shape: name, expected, got', async () => {
    const dir = variant('shape', (d) => {
      const hf = randomHfWeights(cfg, 1);
      hf.set('visual_projection.weight', { shape: [8, 4], data: new Float32Array(32) });
      writeHfWeights(path.join(d, 'model.safetensors'), hf, cfg);
    });
    const e = await loadError(loadReferenceModel({ ...studentOptions(root), pretrained: dir }));
    expect(e.message).toMatch(/tensor visual_projection\.weight: expected shape \[8, 8\], got \[8, 4\]/);
  });

  it.each(['model.pt', 'open_clip_pytorch_model.bin', 'ViT-B-32.pth'])('a damaged PyTorch file (%s): says what is wrong with it', async (name) => {
    const file = path.join(root, 'pickles', name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, 'PK\u0003\u0004');
    const e = await loadError(loadReferenceModel({ ...studentOptions(root), pretrained: file }));
    expect(e.field).toBe('distill-pretrained');
    expect(e.message).toMatch(/is not a readable zip archive/);
  });

  it('a folder holding only a damaged .bin', async () => {
    const dir = path.join(root, 'pickle-folder');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'pytorch_model.bin'), 'x');
    const e = await loadError(loadReferenceModel({ ...studentOptions(root), pretrained: dir }));
    expect(e.message).toMatch(/pytorch_model\.bin/);
    expect(e.message).toMatch(/not a safetensors file|not a PyTorch zip/);
  });

  it('a missing path', async () => {
    const e = await loadError(loadReferenceModel({ ...studentOptions(root), pretrained: path.join(root, 'nope.safetensors') }));
    expect(e.message).toMatch(/nope\.safetensors: no such file or folder/);
  });

  it('transformers names without config.json', async () => {
    const dir = variant('no-config', (d) => fs.rmSync(path.join(d, 'config.json')));
    const e = await loadError(loadReferenceModel({ ...studentOptions(root), pretrained: path.join(dir, 'model.safetensors') }));
    expect(e.message).toMatch(/no config\.json beside it; its hidden_act decides GELU vs QuickGELU/);
  });
});

describe('pulled models', () => {
  it('openai not pulled: says which pull command to run', async () => {
    const e = await loadError(loadReferenceModel({ ...studentOptions(root), dataDir: path.join(root, 'empty-data') }));
    expect(e.field).toBe('distill-pretrained');
    expect(e.message).toMatch(/openai\/clip-vit-base-patch32 \("openai" means openai\/clip-vit-base-patch32\) is not pulled/);
    expect(e.message).toMatch(/Run `clipwb models pull openai\/clip-vit-base-patch32` first/);
  });

  it('org/name not pulled', async () => {
    const e = await loadError(loadReferenceModel({ ...studentOptions(root), pretrained: 'laion/CLIP-ViT-B-32-laion2B-s34B-b79K' }));
    expect(e.message).toMatch(/Run `clipwb models pull laion\/CLIP-ViT-B-32-laion2B-s34B-b79K` first/);
  });

  it('an unfinished pull (no manifest) and a file that does not match the manifest', async () => {
    const data = path.join(root, 'data-partial');
    const dir = path.join(data, 'models', 'openai', 'clip-vit-base-patch32');
    fs.cpSync(good, dir, { recursive: true });
    let e = await loadError(loadReferenceModel({ ...studentOptions(root), dataDir: data }));
    expect(e.message).toMatch(/did not finish: .*clipwb-model\.json is missing.*Run `clipwb models pull openai\/clip-vit-base-patch32` again/s);
    writePullManifest(dir, 'openai/clip-vit-base-patch32');
    fs.appendFileSync(path.join(dir, 'merges.txt'), 'x y\n');
    e = await loadError(loadReferenceModel({ ...studentOptions(root), dataDir: data }));
    expect(e.message).toMatch(/merges\.txt has \d+ bytes, the pull manifest says \d+/);
  });

  it('a pulled model whose only weights are a damaged .bin', async () => {
    const data = path.join(root, 'data-bin');
    const dir = path.join(data, 'models', 'org', 'bin-only');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'open_clip_pytorch_model.bin'), 'x');
    writePullManifest(dir, 'org/bin-only', 'open_clip_pytorch_model.bin', 'open_clip-pytorch-bin');
    const e = await loadError(loadReferenceModel({ ...studentOptions(root), dataDir: data, pretrained: 'org/bin-only' }));
    expect(e.message).toMatch(/open_clip_pytorch_model\.bin/);
    expect(e.message).toMatch(/not a safetensors file|not a PyTorch zip/);
  });
});

describe('architecture and pairing', () => {
  it('--distill-model that does not describe the weights: lists the differences', async () => {
    const other = writeConfigFile(path.join(root, 'configs'), { patchSize: 2, visionLayers: 3 }, 'other.json');
    const e = await loadError(loadReferenceModel({ ...studentOptions(root), model: other, pretrained: good }));
    expect(e.field).toBe('distill-model');
    expect(e.message).toMatch(/does not describe the weights/);
    expect(e.message).toMatch(/vision_cfg\.patch_size \(vision_config\.patch_size\): .*other\.json has 2, .*config\.json has 4/);
    expect(e.message).toMatch(/vision_cfg\.layers \(vision_config\.num_hidden_layers\): .*has 3, .*has 2/);
  });

  it('an unknown --distill-model', async () => {
    const e = await loadError(loadReferenceModel({ ...studentOptions(root), model: 'ViT-Q-99', pretrained: good }));
    expect(e.field).toBe('distill-model');
    expect(e.message).toMatch(/"ViT-Q-99" is unknown/);
  });

  it('a teacher embedding width different from the student\'s', async () => {
    const e = await loadError(loadReferenceModel({ ...studentOptions(root, { studentArch: { embedDim: 12 } }), pretrained: good }));
    expect(e.field).toBe('distill-model');
    expect(e.message).toMatch(/embed_dim 8, the student student has 12.*no projection head/);
    expect(e.message).toMatch(/same embed_dim/);
  });

  it('teacher tokenizer files whose size is not the teacher\'s vocab_size', async () => {
    const dir = variant('small-vocab', (d) => writeVocabulary(d, TINY_MERGES.slice(0, 3)));
    const e = await loadError(loadReferenceModel({ ...studentOptions(root), pretrained: dir }));
    expect(e.field).toBe('distill-pretrained');
    expect(e.message).toMatch(/517 ids but its config has vocab_size 518; the tokenizer does not belong to these weights/);
  });

  it('a student tokenizer that is not the teacher\'s', async () => {
    const other = new ClipTokenizer(tinyVocabulary([['c', 'a'], ['ca', 't</w>'], ['d', 'o'], ['o', 'g</w>']]));
    const e = await loadError(loadReferenceModel({ ...studentOptions(root), studentTokenizer: other, pretrained: good }));
    expect(e.field).toBe('vocab');
    expect(e.message).toMatch(/different merges \(merge line 5/);
    expect(e.message).toContain(`--vocab ${good}`);
  });

  it('an HF config that contradicts its own weights is caught by the shapes', async () => {
    const dir = variant('contradiction', (d) => fs.writeFileSync(path.join(d, 'config.json'), JSON.stringify(hfConfigJson(tinyConfig({ textWidth: 12 })))));
    const named = writeConfigFile(path.join(root, 'configs'), { textWidth: 12 }, 'wide-text.json');
    const e = await loadError(loadReferenceModel({ ...studentOptions(root), model: named, pretrained: dir }));
    expect(e.message).toMatch(/tensor text_model\.embeddings\.position_embedding\.weight: expected shape \[6, 12\], got \[6, 8\]/);
    expect(e.message).toMatch(/and \d+ more tensors of the wrong shape/);
  });
});
