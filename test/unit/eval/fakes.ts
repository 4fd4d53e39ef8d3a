/**
 * A fake CLIP encoder and tokenizer that return chosen vectors: the metrics are under test here, not the
 * model. An image is one pixel whose first channel holds its id; a text's vector comes from a function of
 * the text itself (the tokenizer registers each text and hands its id to the encoder).
 */
import type { ClipEncoder, EvalBatch, EvalReader, TextTokenizer } from '../../../src-worker/eval/types';

export interface FakeModel {
  encoder: ClipEncoder;
  tokenizer: TextTokenizer;
  /** Texts encoded so far, in order (one entry per encoded row). */
  encodedTexts: string[];
  imagesEncoded: () => number;
}

export function fakeModel(dim: number, imageVector: (id: number) => number[], textVector: (text: string) => number[]): FakeModel {
  const registry: string[] = [];
  const encodedTexts: string[] = [];
  let imagesEncoded = 0;
  const contextLength = 4;
  const tokenizer: TextTokenizer = {
    encode(texts, ctx) {
      const out = new Int32Array(texts.length * ctx);
      texts.forEach((t, i) => {
        registry.push(t);
        out[i * ctx] = registry.length - 1;
      });
      return out;
    },
  };
  const encoder: ClipEncoder = {
    embedDim: dim,
    imageSize: 1,
    contextLength,
    async encodeImages(images, n) {
      const out = new Float32Array(n * dim);
      for (let i = 0; i < n; i++) out.set(imageVector(images[i * 3]!), i * dim);
      imagesEncoded += n;
      return out;
    },
    async encodeTexts(tokens, n) {
      const out = new Float32Array(n * dim);
      for (let i = 0; i < n; i++) {
        const text = registry[tokens[i * contextLength]!]!;
        encodedTexts.push(text);
        out.set(textVector(text), i * dim);
      }
      return out;
    },
  };
  return { encoder, tokenizer, encodedTexts, imagesEncoded: () => imagesEncoded };
}

/** Images with ids `ids` (one pixel each), split into batches of `batchSize`. */
export function imageBatches(ids: number[], batchSize: number, extra: (start: number, end: number) => Partial<EvalBatch> = () => ({})): EvalBatch[] {
  const batches: EvalBatch[] = [];
  for (let s = 0; s < ids.length; s += batchSize) {
    const part = ids.slice(s, s + batchSize);
    const images = new Float32Array(part.length * 3);
    part.forEach((id, i) => (images[i * 3] = id));
    batches.push({ images, n: part.length, ...extra(s, s + part.length) });
  }
  return batches;
}

export function readerOf(batches: EvalBatch[], meta: { classnames?: string[]; templates?: string[] } = {}): EvalReader {
  return {
    total: batches.reduce((a, b) => a + b.n, 0),
    ...meta,
    async *[Symbol.asyncIterator]() {
      for (const b of batches) yield b;
    },
  };
}

/** Unit vector along axis `i` of `dim`. */
export function axis(dim: number, i: number): number[] {
  const v = new Array<number>(dim).fill(0);
  v[i] = 1;
  return v;
}
