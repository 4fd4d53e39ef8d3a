import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-worker/backend/select';
import { toOpenClipJson } from '../../../src-worker/model/config';
import { loadReferenceModel, openClipToHf, type ReferenceModel } from '../../../src-worker/teacher';
import { saveCheckpoint } from '../../../src-worker/io/checkpoint';
import {
  hfToOpenClipByHand, tempDir, tinyConfig, tinyOpenClipJson, writeConfigFile, writeHfFolder, writeHfWeights, writeOpenClipWeights, writePullManifest, writeVocabulary,
} from '../../unit/teacher/fixtures';
import { writeOpenClipPt } from '../../helpers/torch-zip';
import { batchInputs, expectBitwiseEqual, features, maxAbsDiff, studentOptions } from './helpers';

const root = tempDir();
const loaded: ReferenceModel[] = [];
async function load(...args: Parameters<typeof loadReferenceModel>): Promise<ReferenceModel> {
  const ref = await loadReferenceModel(...args);
  loaded.push(ref);
  return ref;
}

const cfg = tinyConfig({}, 'tiny');
const pulledDir = path.join(root, 'data', 'models', 'openai', 'clip-vit-base-patch32');
const { hf } = writeHfFolder(pulledDir, cfg, 1);
writePullManifest(pulledDir, 'openai/clip-vit-base-patch32');
const expectedOpenClip = hfToOpenClipByHand(hf, cfg);

beforeAll(async () => {
  await initBackend('wasm');
});
afterAll(() => {
  for (const r of loaded) r.dispose();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('--distill-pretrained openai: the pulled openai/clip-vit-base-patch32 in transformers layout', () => {
  it('maps every tensor onto open_clip names and takes QuickGELU from config.json although the named config says GELU', async () => {
    const opts = studentOptions(root);
    const ref = await load(opts);
    expect(ref.layout).toBe('hf');
    expect(ref.cfg.quickGelu).toBe(true);
    expect(opts.student.quickGelu).toBe(false);
    expect(ref.source).toMatch(/openai \(openai\/clip-vit-base-patch32\), pulled/);
    expectBitwiseEqual(ref.stateDict, expectedOpenClip);
    expect(Object.keys(ref.params)).toEqual([...expectedOpenClip.keys()]);
  });

  it('gives the same image and text features as the same weights in open_clip layout (within 1e-5)', async () => {
    const opts = studentOptions(root);
    const fromHf = await load(opts);
    const ocFile = path.join(root, 'oc', 'weights.safetensors');
    fs.mkdirSync(path.dirname(ocFile), { recursive: true });
    await writeOpenClipWeights(ocFile, expectedOpenClip);
    const quick = writeConfigFile(path.join(root, 'configs'), { quickGelu: true }, 'tiny-quickgelu.json');
    const fromOc = await load({ ...opts, model: quick, pretrained: ocFile });
    expect(fromOc.layout).toBe('open_clip');
    expect(fromOc.cfg.quickGelu).toBe(true);
    const inputs = batchInputs(cfg, opts.studentTokenizer);
    const a = features(fromHf, inputs);
    const b = features(fromOc, inputs);
    expect(maxAbsDiff(a.image, b.image)).toBeLessThan(1e-5);
    expect(maxAbsDiff(a.text, b.text)).toBeLessThan(1e-5);
    // Not a vacuous comparison: the features are unit vectors with spread-out values.
    expect(Math.max(...a.image.map(Math.abs))).toBeGreaterThan(0.1);
    expect(maxAbsDiff(a.text.subarray(0, cfg.embedDim), a.text.subarray(cfg.embedDim, 2 * cfg.embedDim))).toBeGreaterThan(1e-3);
  });

  it('with GELU in config.json the teacher uses GELU', async () => {
    const dir = path.join(root, 'gelu-model');
    writeHfFolder(dir, cfg, 2, { hiddenAct: 'gelu' });
    const ref = await load({ ...studentOptions(root), pretrained: dir });
    expect(ref.cfg.quickGelu).toBe(false);
    expect(ref.source).toMatch(/folder .*gelu-model \(model\.safetensors\)/);
  });
});

describe('other sources', () => {
  it('a pulled org/name', async () => {
    const dir = path.join(root, 'data', 'models', 'someone', 'tiny-clip');
    writeHfFolder(dir, cfg, 3);
    writePullManifest(dir, 'someone/tiny-clip');
    const ref = await load({ ...studentOptions(root), pretrained: 'someone/tiny-clip' });
    expect(ref.source).toMatch(/^someone\/tiny-clip, pulled/);
  });

  it('a pulled open_clip repository (open_clip_model.safetensors + open_clip_config.json with quick_gelu)', async () => {
    const dir = path.join(root, 'data', 'models', 'someone', 'tiny-openclip');
    fs.mkdirSync(dir, { recursive: true });
    await writeOpenClipWeights(path.join(dir, 'open_clip_model.safetensors'), expectedOpenClip);
    fs.writeFileSync(path.join(dir, 'open_clip_config.json'), JSON.stringify({ model_cfg: tinyOpenClipJson({ quickGelu: true }), preprocess_cfg: {} }));
    writeVocabulary(dir);
    writePullManifest(dir, 'someone/tiny-openclip', 'open_clip_model.safetensors', 'open_clip-safetensors');
    const ref = await load({ ...studentOptions(root), pretrained: 'someone/tiny-openclip' });
    expect(ref.layout).toBe('open_clip');
    expect(ref.cfg.quickGelu).toBe(true);
    expect(ref.notes).toEqual([]);
    expectBitwiseEqual(ref.stateDict, expectedOpenClip);
  });

  it('an open_clip checkpoint converted from the seed\'s .pt (module.-prefixed names), bare', async () => {
    const file = path.join(root, 'seed', 'epoch_30.safetensors');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await writeOpenClipWeights(file, expectedOpenClip, 'module.');
    const ref = await load({ ...studentOptions(root), pretrained: file });
    expectBitwiseEqual(ref.stateDict, expectedOpenClip);
    expect(ref.cfg.quickGelu).toBe(false);
    expect(ref.notes.join('\n')).toMatch(/activation taken from --distill-model .*GELU.*-quickgelu/);
  });

  it('the seed\'s own .pt (torch.save zip, module.-prefixed, with optimizer and an int64 buffer), read directly', async () => {
    const file = path.join(root, 'seed-pt', 'epoch_30.pt');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeOpenClipPt(file, expectedOpenClip, { positionIds: true });
    const ref = await load({ ...studentOptions(root), pretrained: file });
    expect(ref.layout).toBe('open_clip');
    expectBitwiseEqual(ref.stateDict, expectedOpenClip);
    expect(ref.notes.join('\n')).toMatch(/skipped 1 non-float tensor the model does not use: position_ids \(I64\)/);
  });

  it('a checkpoint of this engine: by sidecar, by weights file and by run folder', async () => {
    const vocabDir = writeVocabulary(path.join(root, 'run-vocab'));
    const runDir = path.join(root, 'runs', 'r1');
    const saved = await saveCheckpoint({
      dir: path.join(runDir, 'checkpoints'), tag: 'epoch_1', runId: 'r1', epoch: 1, step: 10, position: { epoch: 1, batchInEpoch: 0 },
      model: 'tiny', modelConfig: { ...toOpenClipJson(cfg) }, trainConfig: { vocab: vocabDir }, objective: 'fastclip',
      weights: expectedOpenClip, optimizer: { params: {} }, objectiveState: {}, worldSize: 1,
    });
    for (const pretrained of [saved.sidecarPath, saved.weightsPath, runDir]) {
      const ref = await load({ ...studentOptions(root), pretrained });
      expect(ref.source).toBe(`checkpoint ${saved.sidecarPath}`);
      expectBitwiseEqual(ref.stateDict, expectedOpenClip);
    }
  });

  it('round trip through files: open_clip weights written in HF layout load back identical', async () => {
    const dir = path.join(root, 'roundtrip');
    fs.mkdirSync(dir, { recursive: true });
    writeHfWeights(path.join(dir, 'model.safetensors'), openClipToHf(expectedOpenClip, cfg), cfg);
    fs.copyFileSync(path.join(pulledDir, 'config.json'), path.join(dir, 'config.json'));
    const ref = await load({ ...studentOptions(root), pretrained: path.join(dir, 'model.safetensors') });
    expect(ref.layout).toBe('hf');
    expectBitwiseEqual(ref.stateDict, expectedOpenClip);
  });

  it('releaseStateDict drops the host weights and keeps the tensors usable', async () => {
    const opts = studentOptions(root);
    const ref = await load(opts);
    const before = features(ref, batchInputs(cfg, opts.studentTokenizer));
    ref.releaseStateDict();
    expect(ref.stateDict.size).toBe(0);
    const after = features(ref, batchInputs(cfg, opts.studentTokenizer));
    expect(maxAbsDiff(before.image, after.image)).toBe(0);
  });
});
