import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src-worker/backend/select';
import { LocalCommunicator } from '../../../src-worker/dist/communicator';
import { clipLoss, createObjective } from '../../../src-worker/loss';
import { copy, expectClose, flat, rng, simulateRanks, toMat, toTensor, unitRows } from './helpers';
import { numericDerivative, numericGradient, refClip } from './reference';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('CLIP InfoNCE', () => {
  const next = rng(7);
  const e1 = unitRows(5, 4, next);
  const e2 = unitRows(5, 4, next);
  const theta = Math.log(1 / 0.07);

  it('K = 1: value and gradients (rows and columns both differentiable) match the Float64 reference', () => {
    const [x1, x2, t] = [toTensor(e1), toTensor(e2), tf.scalar(theta)];
    const comm = new LocalCommunicator();
    const { value, grads } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor, s: tf.Tensor) => clipLoss(a, b, s, comm))([x1, x2, t]);
    expectClose(value.dataSync()[0]!, refClip(e1, e2, theta), 1e-5, 1e-6, 'loss');
    const v1 = copy(e1);
    const v2 = copy(e2);
    expectClose(flat(toMat(grads[0]!)), flat(numericGradient(() => refClip(v1, v2, theta), v1)), 2e-3, 1e-4, 'd/de1');
    expectClose(flat(toMat(grads[1]!)), flat(numericGradient(() => refClip(v1, v2, theta), v2)), 2e-3, 1e-4, 'd/de2');
    expectClose(grads[2]!.dataSync()[0]!, numericDerivative((s) => refClip(e1, e2, s), theta), 2e-3, 1e-4, 'd/dθ');
    tf.dispose([x1, x2, t, value, ...grads]);
  });

  it('K = 2: local rows against gathered constant columns, labels offset by rank·b', () => {
    const b = 3;
    const g1 = unitRows(2 * b, 4, next);
    const g2 = unitRows(2 * b, 4, next);
    const results = simulateRanks(2, (r, comm) => {
      const [x1, x2, t] = [toTensor(g1.slice(r * b, (r + 1) * b)), toTensor(g2.slice(r * b, (r + 1) * b)), tf.scalar(theta)];
      const { value, grads } = tf.valueAndGrads((a: tf.Tensor, c: tf.Tensor) => clipLoss(a, c, t, comm))([x1, x2]);
      const out = { loss: value.dataSync()[0]!, d1: toMat(grads[0]!) };
      tf.dispose([x1, x2, t, value, ...grads]);
      return out;
    });
    const cols = { E1: copy(g1), E2: copy(g2), offset: b };
    const rows1 = copy(g1.slice(b));
    const rows2 = copy(g2.slice(b));
    const ref = () => refClip(rows1, rows2, theta, cols);
    expectClose(results[1]!.loss, ref(), 1e-5, 1e-6, 'rank 1 loss');
    expectClose(flat(results[1]!.d1), flat(numericGradient(ref, rows1)), 2e-3, 1e-4, 'rank 1 d/de1');
    expectClose(results[0]!.loss, refClip(g1.slice(0, b), g2.slice(0, b), theta, { ...cols, offset: 0 }), 1e-5, 1e-6, 'rank 0 loss');
  });

  it('the objective wrapper logs the loss, has no state and no γ, and leaks nothing', () => {
    const o = createObjective({ fastclip: false });
    expect(o.kind).toBe('clip');
    expect(o.gamma).toBeNull();
    expect(o.stateDict()).toEqual({});
    expect(() => o.loadStateDict({ u_im: new Float32Array(2) })).toThrow(/InfoNCE keeps no per-sample state/);
    const x1 = tf.variable(toTensor(e1));
    const x2 = tf.variable(toTensor(e2));
    const t = tf.variable(tf.scalar(theta));
    const run = () => {
      const { value, grads } = tf.variableGrads(() => o.step({ imageFeatures: x1, textFeatures: x2, theta: t, indices: new Int32Array(5) }), [x1, x2, t]);
      tf.dispose([value, ...Object.values(grads)]);
    };
    run();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) run();
    expect(tf.memory().numTensors).toBe(before);
    expectClose(o.logs.contrastive_loss!, refClip(e1, e2, theta), 1e-5, 1e-6, 'logged loss');
    expect(o.logs.loss).toBe(o.logs.contrastive_loss);
    tf.dispose([x1, x2, t]);
  });
});
