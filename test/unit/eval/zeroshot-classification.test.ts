import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-worker/backend/select';
import { evaluateZeroShotClassification } from '../../../src-worker/eval/zeroshot-classification';
import { fakeModel, imageBatches, readerOf } from './fakes';

beforeAll(async () => {
  await initBackend('wasm');
});

const imageVectors: number[][] = [
  [1, 0.1], // -> x
  [0.2, 1], // -> y
  [1, 1], // tie: x wins (lower class id)
  [0, -1], // -> x (0 > -1)
];

describe('zero-shot classification over a reader', () => {
  it('streams batches through the classifier and reports acc1, acc5 and mean_per_class_recall', async () => {
    const m = fakeModel(2, (id) => imageVectors[id]!, (t) => (t === 'x' ? [1, 0] : [0, 1]));
    const labels = [0, 1, 1, 1];
    const batches = imageBatches([0, 1, 2, 3], 3, (s, e) => ({ labels: Int32Array.from(labels.slice(s, e)) }));
    const progress: string[] = [];
    const metrics = await evaluateZeroShotClassification({
      encoder: m.encoder,
      tokenizer: m.tokenizer,
      reader: readerOf(batches),
      classnames: ['x', 'y'],
      templates: ['{c}'],
      onProgress: (phase, done, total) => progress.push(`${phase} ${done}/${total}`),
    });
    // right: image 0 (x), image 1 (y); wrong: image 2 (tie goes to x), image 3.
    expect(metrics).toEqual({ acc1: 0.5, acc5: null, mean_per_class_recall: (1 + 1 / 3) / 2 });
    expect(progress).toEqual(['texts 2/2', 'images 0/4', 'images 3/4', 'images 4/4']);
    expect(m.imagesEncoded()).toBe(4);
  });

  it('says what is wrong when batches carry no labels or images of the wrong size', async () => {
    const m = fakeModel(2, (id) => imageVectors[id]!, () => [1, 0]);
    const base = { encoder: m.encoder, tokenizer: m.tokenizer, classnames: ['x', 'y'], templates: ['{c}'], what: 'Toy set' };
    await expect(evaluateZeroShotClassification({ ...base, reader: readerOf(imageBatches([0], 1)) })).rejects.toThrow(/no labels/);
    const wrong = { images: new Float32Array(5), n: 1, labels: Int32Array.from([0]) };
    await expect(evaluateZeroShotClassification({ ...base, reader: readerOf([wrong]) })).rejects.toThrow(/Toy set: a batch of 1 images must hold 1 x 1 x 1 x 3 floats/);
  });
});
