import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src-worker/backend/select';
import { clipForward, encodeImage, encodeText, paramsFromStateDict, disposeParams } from '../../../src-worker/model/clip';
import { microConfig, randomStateDict, seededValues, tokenRows } from './fixtures';
import { referenceImageFeatures, referenceTextFeatures } from './reference-clip';

// float32 kernels against the float64 reference, features of order 1: 1e-4 absolute leaves room for
// summation-order noise while catching any layout or indexing error (those give errors of order 0.1-1).
const TOL = 1e-4;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe.each([false, true])('CLIP forward on wasm against a naive float64 reference (quick_gelu=%s)', (quick) => {
  const cfg = microConfig(quick);
  const sd = randomStateDict(cfg, 7);
  const batch = 3;
  const size = cfg.vision.imageSize;
  const images = seededValues(batch * size * size * 3, 99, 2);
  const rows = [[1, 2, 3], [4], [5, 6, 7, 8]]; // the last one fills the context, EOT at the last position
  const tokens = tokenRows(cfg, rows);

  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('image features match the reference', () => {
    const params = paramsFromStateDict(cfg, sd);
    const got = tf.tidy(() => encodeImage(params, cfg, tf.tensor4d(images, [batch, size, size, 3])).dataSync());
    disposeParams(params);
    for (let b = 0; b < batch; b++) {
      const want = referenceImageFeatures(sd, cfg, images.subarray(b * size * size * 3, (b + 1) * size * size * 3));
      expect(Math.max(...want.map(Math.abs))).toBeGreaterThan(0.05); // not a degenerate all-zero check
      expect(maxAbsDiff(got.subarray(b * cfg.embedDim, (b + 1) * cfg.embedDim), want)).toBeLessThan(TOL);
    }
  });

  it('text features match the reference', () => {
    const params = paramsFromStateDict(cfg, sd);
    const ctx = cfg.text.contextLength;
    const got = tf.tidy(() => encodeText(params, cfg, tf.tensor2d(tokens, [batch, ctx], 'int32')).dataSync());
    disposeParams(params);
    for (let b = 0; b < batch; b++) {
      const want = referenceTextFeatures(sd, cfg, Array.from(tokens.subarray(b * ctx, (b + 1) * ctx)));
      expect(maxAbsDiff(got.subarray(b * cfg.embedDim, (b + 1) * cfg.embedDim), want)).toBeLessThan(TOL);
    }
  });

  it('forward returns unit-norm features and exp(logit_scale)', () => {
    const params = paramsFromStateDict(cfg, sd);
    const out = clipForward(params, cfg, tf.tensor4d(images, [batch, size, size, 3]), tf.tensor2d(tokens, [batch, cfg.text.contextLength], 'int32'));
    const imgNorms = tf.tidy(() => tf.norm(out.imageFeatures, 'euclidean', 1).dataSync());
    const txtNorms = tf.tidy(() => tf.norm(out.textFeatures, 'euclidean', 1).dataSync());
    for (const n of [...imgNorms, ...txtNorms]) expect(n).toBeCloseTo(1, 5);
    expect(out.logitScale.dataSync()[0]).toBeCloseTo(Math.exp(sd.get('logit_scale')!.data[0]!), 5);
    const want = referenceImageFeatures(sd, cfg, images.subarray(0, size * size * 3));
    const norm = Math.hypot(...want);
    expect(maxAbsDiff(out.imageFeatures.dataSync().subarray(0, cfg.embedDim), want.map((v) => v / norm))).toBeLessThan(TOL);
    tf.dispose([out.imageFeatures, out.textFeatures, out.logitScale]);
    disposeParams(params);
  });
});

describe('text tower causality and activation choice', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  const textFeatures = (quick: boolean, rows: number[][]): Float32Array => {
    const cfg = microConfig(quick);
    const params = paramsFromStateDict(cfg, randomStateDict(cfg, 11));
    const ctx = cfg.text.contextLength;
    const out = tf.tidy(() => encodeText(params, cfg, tf.tensor2d(tokenRows(cfg, rows), [rows.length, ctx], 'int32')).dataSync());
    disposeParams(params);
    return out as Float32Array;
  };

  it('tokens after the end-of-text position do not change the features; earlier tokens do', () => {
    const cfg = microConfig(false);
    const ctx = cfg.text.contextLength;
    const eot = cfg.text.vocabSize - 1;
    const start = cfg.text.vocabSize - 2;
    const base = [start, 3, 4, eot, 0, 0];
    const laterChanged = [start, 3, 4, eot, 7, 9];
    const earlierChanged = [start, 5, 4, eot, 0, 0];
    const params = paramsFromStateDict(cfg, randomStateDict(cfg, 11));
    const feats = tf.tidy(() => encodeText(params, cfg, tf.tensor2d([base, laterChanged, earlierChanged], [3, ctx], 'int32')).arraySync());
    disposeParams(params);
    expect(maxAbsDiff(feats[0]!, feats[1]!)).toBeLessThan(1e-6);
    expect(maxAbsDiff(feats[0]!, feats[2]!)).toBeGreaterThan(1e-2);
  });

  it('a sequence shorter than the context gives the same features as its zero-padded form', () => {
    const cfg = microConfig(false);
    const params = paramsFromStateDict(cfg, randomStateDict(cfg, 11));
    const eot = cfg.text.vocabSize - 1;
    const start = cfg.text.vocabSize - 2;
    const [short, padded] = tf.tidy(() => [
      encodeText(params, cfg, tf.tensor2d([[start, 3, eot]], [1, 3], 'int32')).dataSync(),
      encodeText(params, cfg, tf.tensor2d([[start, 3, eot, 0, 0, 0]], [1, 6], 'int32')).dataSync(),
    ]);
    disposeParams(params);
    expect(maxAbsDiff(short!, padded!)).toBeLessThan(1e-5);
  });

  it('QuickGELU and exact GELU give different features from the same weights', () => {
    const rows = [[1, 2, 3]];
    // The two activations differ by at most ~0.02 per unit; 1e-3 is far above float32 noise (~1e-6).
    expect(maxAbsDiff(textFeatures(false, rows), textFeatures(true, rows))).toBeGreaterThan(1e-3);
  });

  it('rejects images and tokens of the wrong shape or type, naming the input', () => {
    const cfg = microConfig(false);
    const params = paramsFromStateDict(cfg, randomStateDict(cfg, 1));
    expect(() => encodeImage(params, cfg, tf.zeros([1, 9, 8, 3]) as tf.Tensor4D)).toThrow(/images: expected shape \[batch, 8, 8, 3\]/);
    expect(() => encodeText(params, cfg, tf.zeros([1, 7], 'int32') as tf.Tensor2D)).toThrow(/tokens: expected shape \[batch, ≤6\]/);
    expect(() => encodeText(params, cfg, tf.zeros([1, 6]) as tf.Tensor2D)).toThrow(/tokens: expected int32/);
    disposeParams(params);
  });
});
