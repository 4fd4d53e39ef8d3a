import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-worker/backend/select';
import { evaluateRetrieval } from '../../../src-worker/eval/retrieval';
import { retrievalMetrics, type RetrievalEmbeddings } from '../../../src-worker/eval/retrieval-metrics';
import { axis, fakeModel, imageBatches, readerOf } from './fakes';

beforeAll(async () => {
  await initBackend('wasm');
});

const flat = (rows: number[][]) => Float32Array.from(rows.flat());

// Three images on the axes; five captions, two of image 0, one of image 1, two of image 2.
// Scores (captions x images) are 0 or 1, so ties are exact; ranks below are worked out by hand.
const toy: RetrievalEmbeddings = {
  dim: 3,
  images: flat([axis(3, 0), axis(3, 1), axis(3, 2)]),
  texts: flat([axis(3, 0), axis(3, 1), axis(3, 2), axis(3, 2), axis(3, 0)]),
  textImage: Int32Array.from([0, 0, 1, 2, 2]),
};
// caption -> rank of its image: c0 0, c1 1 (image 1 ahead), c2 2 (image 2 ahead, image 0 ties lower), c3 0, c4 2.
// image -> rank of its best caption: i0 0 (c0), i1 2 (c1 ahead, c0 ties lower), i2 1 (c3; c2 ahead).

describe('retrieval recall', () => {
  it('computes image and text recall@k by hand, with several captions per image', async () => {
    const m = await retrievalMetrics(toy, { ks: [1, 2, 3, 5] });
    expect(m['image_retrieval_recall@1']).toBeCloseTo(2 / 5, 12);
    expect(m['image_retrieval_recall@2']).toBeCloseTo(3 / 5, 12);
    expect(m['image_retrieval_recall@3']).toBe(1);
    expect(m['image_retrieval_recall@5']).toBe(1);
    expect(m['text_retrieval_recall@1']).toBeCloseTo(1 / 3, 12);
    expect(m['text_retrieval_recall@2']).toBeCloseTo(2 / 3, 12);
    expect(m['text_retrieval_recall@3']).toBe(1);
    expect(m['text_retrieval_recall@5']).toBe(1);
    expect(m['mean_recall@1']).toBeCloseTo((2 / 5 + 1 / 3) / 2, 12);
  });

  it('names the metrics as CLIP_benchmark and DataComp do, in their order', async () => {
    const m = await retrievalMetrics(toy);
    expect(Object.keys(m)).toEqual([
      'image_retrieval_recall@1',
      'text_retrieval_recall@1',
      'image_retrieval_recall@5',
      'text_retrieval_recall@5',
      'image_retrieval_recall@10',
      'text_retrieval_recall@10',
      'mean_recall@1',
    ]);
  });

  it('counts an image without captions as a text-retrieval miss', async () => {
    const m = await retrievalMetrics({ ...toy, images: flat([axis(3, 0), axis(3, 1), axis(3, 2), axis(3, 0)]) }, { ks: [1, 5] });
    expect(m['text_retrieval_recall@1']).toBeCloseTo(1 / 4, 12);
    expect(m['text_retrieval_recall@5']).toBeCloseTo(3 / 4, 12);
  });

  it('gives identical results for every block size, equal to a full-matrix sort', async () => {
    const numImages = 37;
    const dim = 8;
    const rand = mulberry32(7);
    const imageRows: number[][] = [];
    for (let i = 0; i < numImages; i++) imageRows.push(i % 9 === 4 ? imageRows[i - 1]! : unit(dim, rand)); // some duplicates: exact ties
    const textRows: number[][] = [];
    const textImage: number[] = [];
    for (let i = 0; i < numImages; i++) {
      const count = i === 5 ? 0 : 1 + (i % 4);
      for (let c = 0; c < count; c++) {
        // Captions near their image; some repeat the previous caption, of the same image or of the one before: exact ties.
        textRows.push(c === 2 || (c === 0 && i % 3 === 1) ? textRows[textRows.length - 1]! : unit(dim, rand, imageRows[i]!, 0.8));
        textImage.push(i);
      }
    }
    const e: RetrievalEmbeddings = { dim, images: flat(imageRows), texts: flat(textRows), textImage: Int32Array.from(textImage) };
    const ks = [1, 2, 3, 5, 10];
    const reference = await sortReference(e, ks);
    for (const blockRows of [1, 7, 64, textRows.length]) {
      expect(await retrievalMetrics(e, { ks, blockRows })).toEqual(reference);
    }
    // The data must exercise both directions: neither perfect nor zero.
    expect(reference['image_retrieval_recall@1']).toBeGreaterThan(0);
    expect(reference['image_retrieval_recall@1']).toBeLessThan(1);
  });

  it('rejects a caption pointing at a missing image, and empty sets', async () => {
    await expect(retrievalMetrics({ ...toy, textImage: Int32Array.from([0, 0, 1, 2, 3]) })).rejects.toThrow(/caption 4 points at image 3, outside 0..2/);
    await expect(retrievalMetrics({ ...toy, texts: new Float32Array(0), textImage: new Int32Array(0) })).rejects.toThrow(/at least one image and one caption/);
  });

  it('does not leak tensors', async () => {
    const before = tf.memory().numTensors;
    await retrievalMetrics(toy, { blockRows: 2 });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('retrieval over a reader', () => {
  it('encodes images and every caption, then ranks', async () => {
    const vectors: Record<string, number[]> = { a: axis(3, 0), b: axis(3, 1), c: axis(3, 2) };
    const m = fakeModel(3, (id) => axis(3, id), (t) => vectors[t]!);
    const captions = [['a', 'b'], ['c'], ['c', 'a']];
    const batches = imageBatches([0, 1, 2], 2, (s, e) => ({ captions: captions.slice(s, e) }));
    const progress: string[] = [];
    const got = await evaluateRetrieval({
      encoder: m.encoder,
      tokenizer: m.tokenizer,
      reader: readerOf(batches),
      textBatchSize: 2,
      ks: [1, 2, 5],
      onProgress: (phase, done, total) => progress.push(`${phase} ${done}/${total}`),
    });
    expect(got).toEqual(await retrievalMetrics(toy, { ks: [1, 2, 5] }));
    expect(m.encodedTexts).toEqual(['a', 'b', 'c', 'c', 'a']);
    expect(progress).toEqual(['images 0/3', 'images 2/3', 'images 3/3', 'scoring 5/5']);
  });

  it('says so when a batch has no captions', async () => {
    const m = fakeModel(3, (id) => axis(3, id), () => axis(3, 0));
    await expect(evaluateRetrieval({ encoder: m.encoder, tokenizer: m.tokenizer, reader: readerOf(imageBatches([0], 1)), what: 'MSCOCO' })).rejects.toThrow(
      /MSCOCO: a batch of 1 images came with no caption lists/,
    );
  });
});

/** Reference: the whole matrix from one matMul, each row / column ranked by a stable sort. */
async function sortReference(e: RetrievalEmbeddings, ks: number[]): Promise<Record<string, number>> {
  const numImages = e.images.length / e.dim;
  const numTexts = e.texts.length / e.dim;
  const s = tf.matMul(tf.tensor2d(e.texts, [numTexts, e.dim]), tf.tensor2d(e.images, [numImages, e.dim]), false, true);
  const scores = (await s.data()) as Float32Array;
  s.dispose();
  const order = (n: number, at: (i: number) => number) =>
    Array.from({ length: n }, (_, i) => i).sort((a, b) => at(b) - at(a) || a - b);
  const imageRank = Array.from({ length: numTexts }, (_, j) => order(numImages, (i) => scores[j * numImages + i]!).indexOf(e.textImage[j]!));
  const textRank = Array.from({ length: numImages }, (_, i) => {
    const ranked = order(numTexts, (j) => scores[j * numImages + i]!);
    const p = ranked.findIndex((j) => e.textImage[j] === i);
    return p < 0 ? Infinity : p;
  });
  const out: Record<string, number> = {};
  for (const k of ks) {
    out[`image_retrieval_recall@${k}`] = imageRank.filter((r) => r < k).length / numTexts;
    out[`text_retrieval_recall@${k}`] = textRank.filter((r) => r < k).length / numImages;
  }
  out['mean_recall@1'] = 0.5 * (out['image_retrieval_recall@1']! + out['text_retrieval_recall@1']!);
  return out;
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function unit(dim: number, rand: () => number, around?: number[], weight = 0): number[] {
  const v = Array.from({ length: dim }, (_, i) => (rand() - 0.5) * (1 - weight) + (around ? around[i]! * weight : 0));
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}
