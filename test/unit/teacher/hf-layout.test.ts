import { describe, expect, it } from 'vitest';
import { loadModelConfig } from '../../../src-worker/model/config';
import { initStateDict } from '../../../src-worker/model/init';
import { clipParamSpecs } from '../../../src-worker/model/param-spec';
import type { StateDict } from '../../../src-worker/model/state-dict';
import { hfParamSpecs, hfToOpenClip, looksLikeHfLayout, openClipToHf } from '../../../src-worker/teacher/hf-layout';
import { hfTensorShapes, hfToOpenClipByHand, randomHfWeights, tinyConfig } from './fixtures';

function expectSameTensors(a: StateDict, b: StateDict): void {
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  for (const [name, t] of a) {
    const u = b.get(name)!;
    expect(u.shape, name).toEqual(t.shape);
    // Bitwise: the mapping only moves values.
    expect(Buffer.from(u.data.buffer, u.data.byteOffset, u.data.byteLength).equals(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)), name).toBe(true);
  }
}

describe('Hugging Face CLIPModel names and shapes', () => {
  it('ViT-B-32 in transformers layout has the 398 tensors of openai/clip-vit-base-patch32, with their shapes', () => {
    const cfg = loadModelConfig('ViT-B-32');
    const specs = hfParamSpecs(cfg);
    expect(specs).toHaveLength(398);
    const byName = new Map(specs.map((s) => [s.name, s.shape]));
    expect(byName.size).toBe(398);
    for (const [name, shape] of hfTensorShapes(cfg)) expect(byName.get(name), name).toEqual(shape);
    expect(byName.get('visual_projection.weight')).toEqual([512, 768]);
    expect(byName.get('vision_model.embeddings.patch_embedding.weight')).toEqual([768, 3, 32, 32]);
    expect(byName.get('vision_model.encoder.layers.11.self_attn.q_proj.weight')).toEqual([768, 768]);
    expect(byName.get('text_model.embeddings.token_embedding.weight')).toEqual([49408, 512]);
  });

  it('maps HF weights onto open_clip names exactly as the hand-written correspondence', () => {
    const cfg = tinyConfig();
    const hf = randomHfWeights(cfg, 3);
    const got = hfToOpenClip(hf, cfg);
    expectSameTensors(got, hfToOpenClipByHand(hf, cfg));
    expect([...got.keys()]).toEqual(clipParamSpecs(cfg).map((s) => s.name));
  });

  it('round trip open_clip → HF → open_clip gives identical tensors', () => {
    const cfg = tinyConfig({ visionLayers: 3, textLayers: 1, embedDim: 6 });
    const original = initStateDict(cfg, 11);
    const hf = openClipToHf(original, cfg);
    expect(new Set(hf.keys())).toEqual(new Set(hfTensorShapes(cfg).map(([n]) => n)));
    for (const [name, shape] of hfTensorShapes(cfg)) expect(hf.get(name)!.shape, name).toEqual(shape);
    expectSameTensors(hfToOpenClip(hf, cfg), original);
  });

  it('with consume, renamed tensors keep their arrays and the HF map is emptied', () => {
    const cfg = tinyConfig();
    const hf = randomHfWeights(cfg, 5);
    const token = hf.get('text_model.embeddings.token_embedding.weight')!.data;
    const out = hfToOpenClip(hf, cfg, { consume: true });
    expect(hf.size).toBe(0);
    expect(out.get('token_embedding.weight')!.data).toBe(token);
  });

  it('names a missing tensor', () => {
    const cfg = tinyConfig();
    const hf = randomHfWeights(cfg, 5);
    hf.delete('text_model.encoder.layers.1.self_attn.v_proj.bias');
    expect(() => hfToOpenClip(hf, cfg)).toThrow(/text_model\.encoder\.layers\.1\.self_attn\.v_proj\.bias/);
  });

  it('tells the layouts apart by name', () => {
    expect(looksLikeHfLayout(['logit_scale', 'vision_model.pre_layrnorm.weight'])).toBe(true);
    expect(looksLikeHfLayout(['logit_scale', 'visual.ln_pre.weight', 'text_projection'])).toBe(false);
  });
});
