import { describe, expect, it } from 'vitest';
import { loadModelConfig } from '../../../src-worker/model/config';
import { initStateDict } from '../../../src-worker/model/init';

function stats(x: Float32Array): { mean: number; std: number; maxAbs: number } {
  let s = 0;
  let s2 = 0;
  let m = 0;
  for (const v of x) { s += v; s2 += v * v; m = Math.max(m, Math.abs(v)); }
  const mean = s / x.length;
  return { mean, std: Math.sqrt(s2 / x.length - mean * mean), maxAbs: m };
}

describe('initialisation as open_clip', () => {
  const cfg = loadModelConfig('clip-small-p4-32'); // width 128, 4 layers in both towers
  const sd = initStateDict(cfg, 2025);
  const get = (n: string) => sd.get(n)!.data;
  const w = 128;

  it('text tower: normal with open_clip stds', () => {
    const expectStd = (name: string, std: number) => {
      const s = stats(get(name));
      expect(Math.abs(s.mean)).toBeLessThan(std * 0.1);
      expect(s.std / std).toBeGreaterThan(0.95);
      expect(s.std / std).toBeLessThan(1.05);
    };
    expectStd('token_embedding.weight', 0.02);
    expectStd('positional_embedding', 0.01);
    expectStd('text_projection', w ** -0.5);
    expectStd('transformer.resblocks.0.attn.in_proj_weight', w ** -0.5);
    expectStd('transformer.resblocks.0.attn.out_proj.weight', w ** -0.5 * 8 ** -0.5);
    expectStd('transformer.resblocks.3.mlp.c_fc.weight', (2 * w) ** -0.5);
    expectStd('transformer.resblocks.3.mlp.c_proj.weight', w ** -0.5 * 8 ** -0.5);
  });

  it('vision tower: PyTorch defaults for the blocks and conv, N(0, w^-0.5) for embeddings and proj', () => {
    const uniformBound = (name: string, bound: number) => {
      const s = stats(get(name));
      expect(s.maxAbs).toBeLessThanOrEqual(bound);
      expect(s.maxAbs).toBeGreaterThan(bound * 0.98);
      expect(s.std / (bound / Math.sqrt(3))).toBeGreaterThan(0.95);
    };
    uniformBound('visual.transformer.resblocks.0.attn.in_proj_weight', Math.sqrt(6 / (4 * w)));
    uniformBound('visual.transformer.resblocks.0.attn.out_proj.weight', 1 / Math.sqrt(w));
    uniformBound('visual.transformer.resblocks.0.mlp.c_fc.weight', 1 / Math.sqrt(w));
    uniformBound('visual.transformer.resblocks.0.mlp.c_proj.weight', 1 / Math.sqrt(4 * w));
    uniformBound('visual.conv1.weight', 1 / Math.sqrt(3 * 16));
    const proj = stats(get('visual.proj'));
    expect(proj.std / w ** -0.5).toBeGreaterThan(0.95);
    expect(proj.std / w ** -0.5).toBeLessThan(1.05);
  });

  it('zero attention biases, Linear-default MLP biases, unit LayerNorm gains, logit scale ln(1/0.07)', () => {
    expect(get('visual.transformer.resblocks.1.attn.in_proj_bias').every((v) => v === 0)).toBe(true);
    expect(get('transformer.resblocks.1.attn.out_proj.bias').every((v) => v === 0)).toBe(true);
    const fcBias = stats(get('transformer.resblocks.1.mlp.c_fc.bias'));
    expect(fcBias.maxAbs).toBeLessThanOrEqual(1 / Math.sqrt(w));
    expect(fcBias.maxAbs).toBeGreaterThan(0);
    expect(get('ln_final.weight').every((v) => v === 1)).toBe(true);
    expect(get('visual.ln_pre.bias').every((v) => v === 0)).toBe(true);
    expect(get('logit_scale')[0]).toBeCloseTo(Math.log(1 / 0.07), 6);
  });

  it('is deterministic in the seed and independent per parameter', () => {
    const again = initStateDict(cfg, 2025);
    const other = initStateDict(cfg, 2026);
    expect(again.get('visual.proj')!.data).toEqual(get('visual.proj'));
    expect(other.get('visual.proj')!.data).not.toEqual(get('visual.proj'));
    // adjacent small seeds too (a hash that cancelled the seed digit once made 5, 6 and 7 identical)
    const first = [5, 6, 7].map((s) => initStateDict(cfg, s).get('visual.class_embedding')!.data[0]);
    expect(new Set(first).size).toBe(3);
    // same distribution, different parameters: different streams
    expect(get('transformer.resblocks.0.mlp.c_fc.weight')).not.toEqual(get('transformer.resblocks.1.mlp.c_fc.weight'));
  });
});
