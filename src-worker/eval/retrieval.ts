/**
 * Retrieval evaluation of one eval set: encode every image and caption (captions a chunk at a time as the
 * batches arrive), then rank with retrieval-metrics.ts.
 */
import { embedImageBatch } from './images';
import { retrievalMetrics, type RetrievalOptions } from './retrieval-metrics';
import { DEFAULT_TEXT_BATCH_SIZE, forEachTextChunk } from './text-chunks';
import type { ClipEncoder, EvalPhase, EvalReader, Metrics, TextTokenizer } from './types';

export interface RetrievalInput {
  encoder: ClipEncoder;
  tokenizer: TextTokenizer;
  reader: EvalReader;
  what?: string;
  textBatchSize?: number;
  ks?: readonly number[];
  blockRows?: number;
  onProgress?: (phase: EvalPhase, done: number, total: number) => void;
  signal?: AbortSignal;
}

/** A Float32Array that grows by doubling, so 25k caption embeddings are not copied 25k times. */
class GrowingRows {
  private data = new Float32Array(0);
  length = 0;
  push(values: Float32Array): void {
    if (this.length + values.length > this.data.length) {
      const next = new Float32Array(Math.max(this.length + values.length, this.data.length * 2, 1024));
      next.set(this.data.subarray(0, this.length));
      this.data = next;
    }
    this.data.set(values, this.length);
    this.length += values.length;
  }
  view(): Float32Array {
    return this.data.subarray(0, this.length);
  }
}

export async function evaluateRetrieval(input: RetrievalInput): Promise<Metrics> {
  const { encoder, tokenizer, reader, signal } = input;
  const what = input.what ?? 'retrieval';
  const textBatchSize = input.textBatchSize ?? DEFAULT_TEXT_BATCH_SIZE;
  const images = new GrowingRows();
  const texts = new GrowingRows();
  const textImage: number[] = [];
  let numImages = 0;

  input.onProgress?.('images', 0, reader.total);
  for await (const batch of reader) {
    signal?.throwIfAborted();
    if (batch.n === 0) continue;
    const captions = batch.captions;
    if (!Array.isArray(captions) || captions.length !== batch.n) {
      throw new Error(`${what}: a batch of ${batch.n} images came with ${Array.isArray(captions) ? captions.length : 'no'} caption lists; retrieval needs one list of captions per image`);
    }
    images.push(await embedImageBatch(encoder, batch, what));
    const flat: string[] = [];
    captions.forEach((list, i) => {
      if (!Array.isArray(list) || list.some((c) => typeof c !== 'string')) throw new Error(`${what}: captions of image ${numImages + i} are not a list of strings`);
      for (const c of list) {
        flat.push(c);
        textImage.push(numImages + i);
      }
    });
    await forEachTextChunk(encoder, tokenizer, flat, textBatchSize, (emb) => texts.push(emb), signal);
    numImages += batch.n;
    input.onProgress?.('images', numImages, Math.max(reader.total, numImages));
  }
  if (numImages === 0) throw new Error(`${what}: the dataset produced no images`);

  const options: RetrievalOptions = {
    ks: input.ks,
    blockRows: input.blockRows,
    onProgress: (done, total) => input.onProgress?.('scoring', done, total),
    signal,
  };
  return retrievalMetrics({ dim: encoder.embedDim, images: images.view(), texts: texts.view(), textImage: Int32Array.from(textImage) }, options);
}
