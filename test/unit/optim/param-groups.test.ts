import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src-worker/backend/select';
import { buildParamGroups, groupOf } from '../../../src-worker/optim';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('parameter groups from open_clip names (docs/design/algorithms.md#parameter-groups)', () => {
  it('puts gains, biases, LayerNorms and the class embedding without decay, matrices with decay, the logit scale alone', () => {
    const cases: [string, number, string][] = [
      ['visual.class_embedding', 1, 'gain_or_bias'],
      ['ln_final.weight', 1, 'gain_or_bias'],
      ['ln_final.bias', 1, 'gain_or_bias'],
      ['visual.ln_pre.weight', 1, 'gain_or_bias'],
      ['visual.transformer.resblocks.0.attn.in_proj_bias', 1, 'gain_or_bias'],
      ['visual.transformer.resblocks.0.ln_1.weight', 1, 'gain_or_bias'],
      ['transformer.resblocks.11.mlp.c_fc.bias', 1, 'gain_or_bias'],
      ['visual.proj', 2, 'rest'],
      ['token_embedding.weight', 2, 'rest'],
      ['positional_embedding', 2, 'rest'],
      ['visual.positional_embedding', 2, 'rest'],
      ['visual.conv1.weight', 4, 'rest'],
      ['text_projection', 2, 'rest'],
      ['visual.transformer.resblocks.0.attn.in_proj_weight', 2, 'rest'],
      ['transformer.resblocks.3.mlp.c_proj.weight', 2, 'rest'],
      ['logit_scale', 0, 'logit_scale'],
    ];
    for (const [name, ndim, group] of cases) expect(groupOf(name, ndim), name).toBe(group);
  });

  it('builds three groups in torch order with their lr and weight decay, leaving frozen parameters out', () => {
    const v = (shape: number[], trainable = true) => tf.variable(tf.zeros(shape), trainable);
    const params = [
      { name: 'visual.proj', variable: v([4, 2]) },
      { name: 'ln_final.weight', variable: v([4]) },
      { name: 'logit_scale', variable: v([]) },
      { name: 'token_embedding.weight', variable: v([10, 4], false) },
      { name: 'transformer.resblocks.0.attn.out_proj.weight', variable: v([4, 4]) },
    ];
    const groups = buildParamGroups(params, { lr: 1e-3, lrTau: -1, weightDecay: 0.2, isFrozen: (n) => n.startsWith('transformer.') });
    expect(groups.map((g) => [g.name, g.params.map((p) => p.name), g.lr, g.weightDecay])).toEqual([
      ['gain_or_bias', ['ln_final.weight'], 1e-3, 0],
      ['rest', ['visual.proj'], 1e-3, 0.2],
      ['logit_scale', ['logit_scale'], 1e-3, 0],
    ]);
    const withTau = buildParamGroups(params, { lr: 1e-3, lrTau: 7.8125e-5, weightDecay: 0.2 });
    expect(withTau[2]!.lr).toBe(7.8125e-5);
    expect(() => buildParamGroups(params, { lr: 1e-3, lrTau: 0, weightDecay: 0.2 })).toThrow(/lr_tau/);
    expect(() => buildParamGroups([params[0]!, params[0]!], { lr: 1e-3, lrTau: -1, weightDecay: 0 })).toThrow(/listed twice/);
    tf.dispose(params.map((p) => p.variable));
  });
});
