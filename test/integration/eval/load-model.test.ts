/**
 * What eval and embed accept besides this workbench's checkpoints: a pulled model by name (transformers
 * layout, with its I64 position_ids buffers), a bare .safetensors, and a PyTorch .pt checkpoint.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadEvalModel, loadModelForEval } from '../../../src-worker/eval/load-model';
import { ConfigError } from '../../../src-shared/config/train-config';
import { resolveModelArg } from '../../../src-main/models/resolve-name';
import { hfToOpenClipByHand, tempDir, tinyConfig, writeConfigFile, writeHfFolder, writePullManifest } from '../../unit/teacher/fixtures';
import { expectBitwiseEqual } from '../teacher/helpers';
import { writeOpenClipPt } from '../../helpers/torch-zip';

const root = tempDir('clipwb-evalmodel-');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const cfg = tinyConfig({}, 'tiny');
const dataDir = path.join(root, 'data');
const pulled = path.join(dataDir, 'models', 'openai', 'clip-vit-base-patch32');
const { hf } = writeHfFolder(pulled, cfg, 3);
writePullManifest(pulled, 'openai/clip-vit-base-patch32');
const expected = hfToOpenClipByHand(hf, cfg);

describe('published weights for eval and embed', () => {
  it('a pulled model by name: architecture from its config.json, I64 buffers skipped, its own tokenizer', async () => {
    for (const name of ['openai/clip-vit-base-patch32', 'openai']) {
      const arg = resolveModelArg(name, dataDir);
      expect(arg).toEqual({ path: pulled, pulled: 'openai/clip-vit-base-patch32' });
      const m = await loadEvalModel({ checkpoint: arg.path, dataDir });
      expect(m.sidecar).toBeNull();
      expect(m.cfg.vision.width).toBe(cfg.vision.width);
      expect(m.cfg.quickGelu).toBe(true);
      expect(m.tokenizer).toBe(pulled);
      expectBitwiseEqual(m.weights, expected);
    }
    // The name itself works in the worker too (it resolves pulled models the same way).
    expectBitwiseEqual((await loadEvalModel({ checkpoint: 'openai/clip-vit-base-patch32', dataDir })).weights, expected);
  });

  it('the pulled model\'s model.safetensors given as a file (the I64 position_ids no longer fail)', async () => {
    const m = await loadEvalModel({ checkpoint: path.join(pulled, 'model.safetensors'), dataDir });
    expectBitwiseEqual(m.weights, expected);
  });

  it('a name that is not pulled, or half pulled, says which command to run', () => {
    expect(() => resolveModelArg('laion/some-model', dataDir)).toThrow(/clipwb models pull laion\/some-model/);
    const half = path.join(dataDir, 'models', 'org', 'half');
    fs.mkdirSync(half, { recursive: true });
    expect(() => resolveModelArg('org/half', dataDir)).toThrow(/did not finish.*again to resume/s);
  });

  it('a .pt training checkpoint: needs --model, then reads the state dict and notes what it skipped', async () => {
    const file = path.join(root, 'seed', 'epoch_30.pt');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeOpenClipPt(file, expected, { positionIds: true });
    const err = await loadEvalModel({ checkpoint: file, dataDir }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).field).toBe('model');
    expect((err as Error).message).toMatch(/declares no architecture.*Pass --model/s);

    const model = writeConfigFile(path.join(root, 'configs'), {}, 'tiny.json');
    const m = await loadEvalModel({ checkpoint: file, dataDir, model });
    expectBitwiseEqual(m.weights, expected);
    expect(m.notes.join('\n')).toMatch(/skipped 1 non-float tensor the model does not use: position_ids \(I64\)/);
    expect(m.notes.join('\n')).toMatch(/ignored beside the state dict: optimizer/);
  });

  it('weights holding NaN (a diverged run) are refused, naming the tensor, instead of giving null embeddings and 0 accuracy', async () => {
    const name = [...expected.keys()].find((k) => k.startsWith('visual.'))!;
    const broken = new Map([...expected].map(([k, t]) => [k, { shape: t.shape, data: Float32Array.from(t.data) }]));
    broken.get(name)!.data[3] = Number.NaN;
    broken.get(name)!.data[5] = Number.POSITIVE_INFINITY;
    const file = path.join(root, 'diverged', 'epoch_3.pt');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeOpenClipPt(file, broken, {});
    const model = writeConfigFile(path.join(root, 'configs-nan'), {}, 'tiny.json');
    const err = await loadEvalModel({ checkpoint: file, dataDir, model }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).field).toBe('checkpoint');
    expect((err as Error).message).toContain(`NaN or infinite values (2 of ${broken.get(name)!.data.length} in ${name})`);
  });

  it('a pulled repository of .pt checkpoints, by name, with --model', async () => {
    const dir = path.join(dataDir, 'models', 'seed', 'checkpoints');
    fs.mkdirSync(dir, { recursive: true });
    writeOpenClipPt(path.join(dir, 'epoch_30.pt'), expected);
    writePullManifest(dir, 'seed/checkpoints', 'epoch_30.pt', 'torch-pt');
    const model = writeConfigFile(path.join(root, 'configs'), {}, 'tiny.json');
    const m = await loadEvalModel({ checkpoint: 'seed/checkpoints', dataDir, model });
    expect(m.label).toMatch(/seed\/checkpoints, pulled, .*epoch_30\.pt/);
    expectBitwiseEqual(m.weights, expected);
  });

  it('loadModelForEval (embed and eval jobs): the weights, the tokenizer that came with them, the parameters; a model without one asks for --vocab', async () => {
    const m = await loadModelForEval({ checkpoint: 'openai/clip-vit-base-patch32', dataDir });
    try {
      expect(m.model.tokenizer).toBe(pulled);
      expect(m.builtin).toBeNull();
      expect(m.tokenizer.encode(['a photo'], m.cfg.text.contextLength).length).toBe(m.cfg.text.contextLength);
      expect(Object.keys(m.params).length).toBeGreaterThan(0);
    } finally {
      m.dispose();
    }
    const file = path.join(root, 'seed', 'epoch_30.pt');
    const model = writeConfigFile(path.join(root, 'configs'), {}, 'tiny.json');
    const err = await loadModelForEval({ checkpoint: file, dataDir, model }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).field).toBe('vocab');
    expect((err as Error).message).toMatch(/no tokenizer vocabulary for .*Pass --vocab/s);
  });
});
