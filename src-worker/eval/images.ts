/** Encodes one reader batch of images and returns L2-normalised embeddings, with checks that name the task. */
import { checkEmbeddings, l2NormalizeRows } from './vectors';
import type { ClipEncoder, EvalBatch } from './types';

export async function embedImageBatch(encoder: ClipEncoder, batch: EvalBatch, what: string): Promise<Float32Array> {
  const { n, images } = batch;
  if (!Number.isInteger(n) || n < 0) throw new Error(`${what}: batch size n must be a non-negative integer, got ${n}`);
  const s = encoder.imageSize;
  if (!(images instanceof Float32Array) || images.length !== n * s * s * 3) {
    throw new Error(`${what}: a batch of ${n} images must hold ${n} x ${s} x ${s} x 3 floats (NHWC at the model's image size), got ${images?.length ?? 'none'}`);
  }
  if (n === 0) return new Float32Array(0);
  const out = await encoder.encodeImages(images, n);
  checkEmbeddings(out, n, encoder.embedDim, `${what}: encodeImages`);
  // CLIP_benchmark normalises image features itself; doing it again costs little and guards the ranking.
  return l2NormalizeRows(out, n, encoder.embedDim);
}
