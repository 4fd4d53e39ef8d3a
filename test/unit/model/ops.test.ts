import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../../../src-worker/backend/select';
import { activation, layerNorm, linear } from '../../../src-worker/model/ops';
import { seededValues } from './fixtures';

/** The plain composites tfjs differentiates by itself: the yardstick for the hand-written gradients. */
const plain = {
  linear: (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D, false, true), b),
  layerNorm: (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
  },
  gelu: (x: tf.Tensor) => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.div(x, Math.SQRT2)), 1)),
  quickGelu: (x: tf.Tensor) => tf.mul(x, tf.sigmoid(tf.mul(x, 1.702))),
};

const rand = (shape: number[], seed: number, scale = 1) => tf.tensor(seededValues(shape.reduce((a, b) => a * b, 1), seed, scale), shape);

/** Value and gradients w.r.t. every input of sum(f(inputs) ⊙ r), r a fixed random weighting. */
function valueAndGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[]): number[][] {
  return tf.tidy(() => {
    const probe = (...xs: tf.Tensor[]) => {
      const y = f(...xs);
      return tf.sum(tf.mul(y, rand(y.shape, 77)));
    };
    const { value, grads } = tf.valueAndGrads(probe)(inputs);
    return [[value.dataSync()[0]!], ...grads.map((g) => Array.from(g.dataSync()))];
  });
}

function maxRelDiff(a: number[][], b: number[][]): number {
  let worst = 0;
  a.forEach((row, i) => row.forEach((v, j) => {
    const w = b[i]![j]!;
    worst = Math.max(worst, Math.abs(v - w) / (1e-3 + Math.abs(w)));
  }));
  return worst;
}

describe.each(['wasm', 'cpu'] as BackendName[])('hand-written gradients match tfjs autodiff on %s', (backend) => {
  const check = async (custom: (...xs: tf.Tensor[]) => tf.Tensor, reference: (...xs: tf.Tensor[]) => tf.Tensor, make: () => tf.Tensor[]) => {
    await initBackend(backend);
    const inputs = make();
    const got = valueAndGrads(custom, inputs);
    const want = valueAndGrads(reference, inputs);
    tf.dispose(inputs);
    // float32 with different operation orders: 1e-4 relative (plus 1e-7 absolute via the 1e-3 floor)
    expect(maxRelDiff(got, want)).toBeLessThan(1e-4);
    expect(got.flat().some((v) => v !== 0)).toBe(true);
  };

  it('linear, out ≥ in and out < in', async () => {
    const lin = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => linear(x as tf.Tensor2D, w, b);
    await check(lin, plain.linear, () => [rand([13, 5], 1), rand([7, 5], 2), rand([7], 3)]);
    await check(lin, plain.linear, () => [rand([13, 7], 1), rand([5, 7], 2), rand([5], 3)]);
  });

  it('layerNorm', async () => {
    await check((x, g, b) => layerNorm(x as tf.Tensor2D, g!, b!), plain.layerNorm, () => [rand([9, 6], 4, 3), rand([6], 5), rand([6], 6)]);
  });

  it('GELU and QuickGELU', async () => {
    await check((x) => activation(x!, false), plain.gelu, () => [rand([11, 8], 7, 4)]);
    await check((x) => activation(x!, true), plain.quickGelu, () => [rand([11, 8], 7, 4)]);
  });
});
