import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../../../src-worker/backend/select';
import { ClipModel } from '../../../src-worker/model/clip';
import { loadModelConfig } from '../../../src-worker/model/config';
import { initStateDict } from '../../../src-worker/model/init';
import { setActivationCheckpointing } from '../../../src-worker/model/checkpointing';
import { seededValues } from './fixtures';
import { symmetricInfoNce } from './contrastive';

/** Loss, every gradient, and the peak bytes of one differentiated step. */
async function step(backend: BackendName, recompute: boolean): Promise<{ loss: number; grads: Map<string, Float32Array>; peak: number; leaked: number }> {
  await initBackend(backend);
  const cfg = loadModelConfig('clip-tiny-p7-28');
  const batch = 8;
  const model = ClipModel.fromStateDict(cfg, initStateDict(cfg, 3));
  const size = cfg.vision.imageSize;
  const img = tf.tensor4d(seededValues(batch * size * size * 3, 5, 2), [batch, size, size, 3]);
  const tokens = new Int32Array(batch * cfg.text.contextLength);
  for (let b = 0; b < batch; b++) {
    const row = b * cfg.text.contextLength;
    tokens[row] = cfg.text.vocabSize - 2;
    for (let k = 1; k <= 3 + b; k++) tokens[row + k] = 1 + ((b * 7 + k * 13) % (cfg.text.vocabSize - 3));
    tokens[row + 4 + b] = cfg.text.vocabSize - 1;
  }
  const tok = tf.tensor2d(tokens, [batch, cfg.text.contextLength], 'int32');
  setActivationCheckpointing(recompute);
  const before = tf.memory().numTensors;
  let grads: Record<string, tf.Tensor> = {};
  let value: tf.Scalar | null = null;
  const profile = await tf.profile(() => {
    const r = tf.variableGrads(() => symmetricInfoNce(model.forward(img, tok)), [...model.variables.values()]);
    grads = r.grads;
    value = r.value;
  });
  const out = new Map<string, Float32Array>();
  for (const [name, v] of model.variables) out.set(name, grads[v.name]!.dataSync() as Float32Array);
  const loss = (value as unknown as tf.Scalar).dataSync()[0]!;
  tf.dispose([value as unknown as tf.Scalar, ...Object.values(grads)]);
  const leaked = tf.memory().numTensors - before;
  tf.dispose([img, tok]);
  model.dispose();
  return { loss, grads: out, peak: profile.peakBytes, leaked };
}

describe('activation checkpointing', () => {
  afterEach(() => setActivationCheckpointing(false));

  for (const backend of ['wasm'] as const) {
    it(`gives the gradients of the plain forward, keeps less, leaks nothing (${backend})`, async () => {
      const plain = await step(backend, false);
      const recomputed = await step(backend, true);
      expect(recomputed.loss).toBeCloseTo(plain.loss, 6);
      expect([...recomputed.grads.keys()]).toEqual([...plain.grads.keys()]);
      for (const [name, g] of plain.grads) {
        const r = recomputed.grads.get(name)!;
        let scale = 1e-6;
        for (const v of g) scale = Math.max(scale, Math.abs(v));
        let diff = 0;
        for (let i = 0; i < g.length; i++) diff = Math.max(diff, Math.abs(g[i]! - r[i]!));
        expect(diff / scale, name).toBeLessThan(1e-5);
      }
      expect(recomputed.peak).toBeLessThan(plain.peak);
      expect(recomputed.leaked).toBe(0);
      expect(plain.leaked).toBe(0);
    });
  }
});
