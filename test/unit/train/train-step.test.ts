/**
 * The step's all-reduce with K > 1 workers: gradients and the loss values travel in one buffer, a
 * variable without a gradient contributes zeros and gets no update (as with one worker), and the
 * reported loss is the mean over ranks.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-worker/backend/select';
import { ClipModel, parseModelConfig } from '../../../src-worker/model';
import { createObjective } from '../../../src-worker/loss';
import { AdamW, adamHyperparameters, buildParamGroups } from '../../../src-worker/optim';
import { trainStep, type StepBatch, type StepParts } from '../../../src-worker/train/train-step';
import { FakeGroup } from './fake-group';

const cfg = parseModelConfig({
  embed_dim: 8,
  vision_cfg: { image_size: 8, layers: 1, width: 16, head_width: 8, patch_size: 4 },
  text_cfg: { context_length: 6, vocab_size: 20, width: 16, heads: 2, layers: 1 },
}, 'tiny');

let parts: StepParts;
let extra: tf.Variable;
const batch: StepBatch = {
  size: 2,
  images: Float32Array.from({ length: 2 * 8 * 8 * 3 }, (_, i) => Math.sin(i)),
  tokens: Int32Array.of(18, 3, 4, 19, 0, 0, 18, 5, 19, 0, 0, 0),
  keys: Int32Array.of(0, 1),
};

beforeAll(async () => {
  await initBackend('cpu');
  const model = ClipModel.create(cfg, 1);
  // A parameter the loss does not depend on (as a frozen-path or unused tensor would be).
  extra = tf.variable(tf.ones([3, 3]), true, 'unused_weight');
  const named = [...model.trainableVariables()].map(([name, variable]) => ({ name, variable }));
  const groups = buildParamGroups([...named, { name: 'unused_weight', variable: extra }], { lr: 1e-2, lrTau: 1e-2, weightDecay: 0.5 });
  parts = {
    cfg, model, objective: createObjective({ fastclip: false }, new FakeGroup(0, 2)),
    optimizer: new AdamW(groups, adamHyperparameters({ beta1: 0.9, beta2: 0.98, eps: 1e-6 })),
    theta: model.variables.get('logit_scale')!, trainable: model.trainableVariables(),
  };
});
afterAll(() => { parts.optimizer.dispose(); parts.model.dispose(); extra.dispose(); });

describe('trainStep with two workers', () => {
  it('averages the loss values with the gradients, and leaves a variable without gradient alone', () => {
    const peerLoss = 10;
    const comm = new FakeGroup(0, 2, {
      // The other rank sends the same gradients and a loss of 10.
      reduce: (data) => { const o = data.slice(); o[o.length - 1] = peerLoss; o[o.length - 2] = peerLoss; return [o]; },
    });
    const objective = createObjective({ fastclip: false }, comm);
    const vars = [...parts.trainable.values(), extra];
    const before = tf.tidy(() => extra.dataSync().slice());
    const result = trainStep({ ...parts, objective }, null, batch, vars, comm, null);

    const reduced = comm.calls.filter((c) => c.op === 'allReduceMean');
    expect(reduced).toHaveLength(1);
    const flat = reduced[0]!.data as Float32Array;
    const gradientSize = vars.reduce((n, v) => n + v.size, 0);
    // Gradients in the variables' order, then contrastive_loss and loss (sorted).
    expect(flat.length).toBe(gradientSize + 2);
    const extraStart = gradientSize - extra.size;
    expect([...flat.subarray(extraStart, gradientSize)]).toEqual(new Array(9).fill(0));
    const local = flat[gradientSize + 1]!;
    expect(flat[gradientSize]).toBe(local);
    expect(result.loss).toBeCloseTo((local + peerLoss) / 2, 5);
    expect(result.logs.contrastive_loss).toBeCloseTo((local + peerLoss) / 2, 5);

    // No gradient, no AdamW update (no weight decay either) and no optimiser state.
    expect([...extra.dataSync()]).toEqual([...before]);
    expect(Object.keys(parts.optimizer.stateDict().params)).not.toContain('unused_weight');
    expect(Object.keys(parts.optimizer.stateDict().params)).toContain('visual.proj');
  });
});
