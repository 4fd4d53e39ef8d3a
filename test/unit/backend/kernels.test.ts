import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src-worker/backend/select';

describe('wasm kernels registered by the workbench', () => {
  it('matMul with transpose flags matches the cpu backend', async () => {
    await initBackend('wasm');
    const a = tf.randomNormal([3, 7, 5], 0, 1, 'float32', 1);
    const b = tf.randomNormal([3, 6, 5], 0, 1, 'float32', 2);
    const aData = await a.array();
    const bData = await b.array();
    const got = tf.matMul(a, b, false, true);
    const gotTA = tf.matMul(tf.transpose(a, [0, 2, 1]), b, true, true);
    const gotVals = await got.data();
    const gotTAVals = await gotTA.data();
    await initBackend('cpu');
    const want = tf.matMul(tf.tensor(aData), tf.tensor(bData), false, true);
    const wantVals = await want.data();
    expect(got.shape).toEqual([3, 7, 6]);
    for (let i = 0; i < wantVals.length; i++) {
      expect(gotVals[i]).toBeCloseTo(wantVals[i]!, 4);
      expect(gotTAVals[i]).toBeCloseTo(wantVals[i]!, 4);
    }
  });

  it('the gradient of gather (UnsortedSegmentSum) works on wasm and matches cpu', async () => {
    const table = [[1, 2], [3, 4], [5, 6], [7, 8]];
    const idx = [0, 2, 2, 3, 0, 0];
    const run = () => {
      const t = tf.tensor2d(table);
      const f = (x: tf.Tensor) => tf.sum(tf.mul(tf.gather(x, tf.tensor1d(idx, 'int32')), tf.tensor2d(idx.map((i, r) => [r + 1, 2 * i]))));
      return tf.grad(f)(t).arraySync();
    };
    await initBackend('wasm');
    const onWasm = run();
    await initBackend('cpu');
    const onCpu = run();
    expect(onWasm).toEqual(onCpu);
    // rows 0 (ids at r=0,4,5), 1 (none), 2 (r=1,2), 3 (r=3)
    expect(onWasm).toEqual([[1 + 5 + 6, 0], [0, 0], [2 + 3, 4 + 4], [4, 6]]);
  });
});
