/**
 * Image-text retrieval recall (CLIP_benchmark's zeroshot_retrieval, DataComp's mean_recall@1) over
 * scores = text_emb · image_embᵀ, computed a block of captions at a time so MSCOCO's 25k x 5k matrix never
 * exists whole:
 * - image_retrieval_recall@k: fraction of captions whose own image is among their top k images;
 * - text_retrieval_recall@k: fraction of images with at least one of their captions among their top k
 *   captions (an image without captions counts as a miss, as in CLIP_benchmark);
 * - mean_recall@1 = (image R@1 + text R@1) / 2.
 * Ties follow ranking.ts (strict top-k, lower index first), so the result does not depend on the block size.
 */
import * as tf from '@tensorflow/tfjs';
import { ColumnTopK, rankOfTarget } from './ranking';
import type { Metrics } from './types';

export const DEFAULT_RECALL_KS: readonly number[] = [1, 5, 10];
/** Scores held at once: 4M floats (16 MB), 800 captions x 5,000 images for MSCOCO. */
const DEFAULT_BLOCK_SCORES = 1 << 22;

export interface RetrievalEmbeddings {
  dim: number;
  /** L2-normalised [numImages, dim]. */
  images: Float32Array;
  /** L2-normalised [numTexts, dim]. */
  texts: Float32Array;
  /** [numTexts]: the image index of each caption. */
  textImage: Int32Array;
}

export interface RetrievalOptions {
  ks?: readonly number[];
  /** Captions scored per block; default keeps a block near 4M scores. */
  blockRows?: number;
  /** Captions scored so far, out of all. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

function checkInput(e: RetrievalEmbeddings, ks: readonly number[]): { numImages: number; numTexts: number } {
  const { dim } = e;
  if (!Number.isInteger(dim) || dim < 1) throw new Error(`retrieval: dim must be a positive integer, got ${dim}`);
  if (e.images.length % dim !== 0 || e.texts.length % dim !== 0) throw new Error(`retrieval: embedding arrays must hold whole rows of ${dim} values`);
  const numImages = e.images.length / dim;
  const numTexts = e.texts.length / dim;
  if (numImages === 0 || numTexts === 0) throw new Error(`retrieval: need at least one image and one caption, got ${numImages} images and ${numTexts} captions`);
  if (e.textImage.length !== numTexts) throw new Error(`retrieval: textImage has ${e.textImage.length} entries for ${numTexts} captions`);
  for (let j = 0; j < numTexts; j++) {
    const i = e.textImage[j]!;
    if (!(i >= 0 && i < numImages)) throw new Error(`retrieval: caption ${j} points at image ${i}, outside 0..${numImages - 1}`);
  }
  if (ks.length === 0 || ks.some((k) => !Number.isInteger(k) || k < 1)) throw new Error(`retrieval: recall ks must be positive integers, got [${ks.join(', ')}]`);
  return { numImages, numTexts };
}

export async function retrievalMetrics(e: RetrievalEmbeddings, options: RetrievalOptions = {}): Promise<Metrics> {
  const ks = options.ks ?? DEFAULT_RECALL_KS;
  const { numImages, numTexts } = checkInput(e, ks);
  const d = e.dim;
  const maxK = Math.max(...ks);
  const blockRows = options.blockRows ?? Math.max(1, Math.floor(DEFAULT_BLOCK_SCORES / numImages));
  if (!Number.isInteger(blockRows) || blockRows < 1) throw new Error(`retrieval: blockRows must be a positive integer, got ${blockRows}`);

  // Captions' rank of their own image, kept whole: it also gives every k at once.
  const imageRanks = new Float64Array(numTexts);
  const captionsPerImage = new ColumnTopK(numImages, maxK);
  // A plain matMul against the transposed images: transpose flags are slow on wasm
  // (docs/design/dependencies.md#matmul-with-transpose-flags-is-slow).
  const imagesT = tf.tidy(() => tf.transpose(tf.tensor2d(e.images, [numImages, d])));
  try {
    for (let start = 0; start < numTexts; start += blockRows) {
      options.signal?.throwIfAborted();
      const rows = Math.min(blockRows, numTexts - start);
      const scoresT = tf.tidy(() => tf.matMul(tf.tensor2d(e.texts.subarray(start * d, (start + rows) * d), [rows, d]), imagesT));
      const scores = (await scoresT.data()) as Float32Array;
      scoresT.dispose();
      for (let r = 0; r < rows; r++) imageRanks[start + r] = rankOfTarget(scores, r * numImages, numImages, e.textImage[start + r]!);
      captionsPerImage.offer(scores, rows, start);
      options.onProgress?.(start + rows, numTexts);
    }
  } finally {
    imagesT.dispose();
  }

  // An image's rank is that of its best-placed caption among its top maxK (Infinity if none made it).
  const textRanks = new Float64Array(numImages);
  for (let i = 0; i < numImages; i++) textRanks[i] = captionsPerImage.firstRank(i, (j) => e.textImage[j] === i);

  const metrics: Metrics = {};
  for (const k of ks) {
    let imageHits = 0;
    for (let j = 0; j < numTexts; j++) if (imageRanks[j]! < k) imageHits++;
    let textHits = 0;
    for (let i = 0; i < numImages; i++) if (textRanks[i]! < k) textHits++;
    metrics[`image_retrieval_recall@${k}`] = imageHits / numTexts;
    metrics[`text_retrieval_recall@${k}`] = textHits / numImages;
  }
  if (ks.includes(1)) metrics['mean_recall@1'] = 0.5 * (metrics['image_retrieval_recall@1']! + metrics['text_retrieval_recall@1']!);
  return metrics;
}
