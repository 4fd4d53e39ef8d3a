import { describe, expect, it } from 'vitest';
import { buildZeroShotClassifier, fillTemplate } from '../../../src-worker/eval/zeroshot-classifier';
import { fakeModel } from './fakes';

const vectors: Record<string, number[]> = {
  'a cat': [3, 0, 0],
  'the cat': [0, 2, 0],
  'a dog': [0, 0, 5],
  'the dog': [0, 0, 1],
};

describe('zero-shot classifier weights', () => {
  it('normalises each prompt, averages over templates, re-normalises: W is [dim, classes]', async () => {
    const m = fakeModel(3, () => [0, 0, 0], (t) => vectors[t]!);
    const w = await buildZeroShotClassifier(m.encoder, m.tokenizer, ['cat', 'dog'], ['a {c}', 'the {c}']);
    // cat: mean of [1,0,0] and [0,1,0], re-normalised; averaging the raw vectors would give [0.83, 0.55, 0].
    const s = Math.SQRT1_2;
    const want = [s, 0, s, 0, 0, 1];
    expect(w.length).toBe(6);
    want.forEach((v, i) => expect(w[i]).toBeCloseTo(v, 6));
    expect(m.encodedTexts).toEqual(['a cat', 'the cat', 'a dog', 'the dog']);
  });

  it('gives the same weights whatever the text chunk size', async () => {
    const a = fakeModel(3, () => [0, 0, 0], (t) => vectors[t]!);
    const b = fakeModel(3, () => [0, 0, 0], (t) => vectors[t]!);
    const w1 = await buildZeroShotClassifier(a.encoder, a.tokenizer, ['cat', 'dog'], ['a {c}', 'the {c}'], { textBatchSize: 1 });
    const progress: number[] = [];
    const w3 = await buildZeroShotClassifier(b.encoder, b.tokenizer, ['cat', 'dog'], ['a {c}', 'the {c}'], {
      textBatchSize: 3,
      onProgress: (done, total) => progress.push(done / total),
    });
    expect(Array.from(w1)).toEqual(Array.from(w3));
    expect(progress).toEqual([0.75, 1]);
  });

  it('fills every {c} and leaves replacement patterns in class names alone', () => {
    expect(fillTemplate('{c} next to a {c}.', "o$&'brien")).toBe("o$&'brien next to a o$&'brien.");
  });

  it('rejects a template without {c}, an empty class list and an empty template list', async () => {
    const m = fakeModel(3, () => [0, 0, 0], () => [1, 0, 0]);
    await expect(buildZeroShotClassifier(m.encoder, m.tokenizer, ['cat'], ['a photo.'])).rejects.toThrow(/template "a photo." has no \{c\}/);
    await expect(buildZeroShotClassifier(m.encoder, m.tokenizer, [], ['{c}'])).rejects.toThrow(/class names list is empty/);
    await expect(buildZeroShotClassifier(m.encoder, m.tokenizer, ['cat'], [])).rejects.toThrow(/templates list is empty/);
  });

  it('says so when the encoder returns the wrong embedding size', async () => {
    const m = fakeModel(3, () => [0, 0, 0], () => [1, 0, 0]);
    m.encoder.embedDim = 4;
    await expect(buildZeroShotClassifier(m.encoder, m.tokenizer, ['cat'], ['{c}'])).rejects.toThrow(/encodeTexts: expected a Float32Array of 1 x 4/);
  });
});
