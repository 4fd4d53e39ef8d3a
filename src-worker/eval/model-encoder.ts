/**
 * Adapters from the real model, tokenizer and eval-set readers to the small interfaces evaluation is
 * written against (types.ts).
 */
import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import { encodeImage, encodeText, l2Normalize, type ClipConfig, type TensorMap } from '../model';
import { openEvalSet } from '../data';
import { EvalDataMissingError, type ClipEncoder, type EvalReader, type TextTokenizer } from './types';

/** Wraps model weights (variables of a training model, or plain tensors) as a ClipEncoder. */
export function modelEncoder(params: TensorMap, cfg: ClipConfig): ClipEncoder {
  const size = cfg.vision.imageSize;
  return {
    embedDim: cfg.embedDim,
    imageSize: size,
    contextLength: cfg.text.contextLength,
    async encodeImages(images: Float32Array, n: number): Promise<Float32Array> {
      const out = tf.tidy(() => l2Normalize(encodeImage(params, cfg, tf.tensor4d(images, [n, size, size, 3]))));
      try { return (await out.data()) as Float32Array; } finally { out.dispose(); }
    },
    async encodeTexts(tokens: Int32Array, n: number): Promise<Float32Array> {
      const ctx = tokens.length / n;
      const out = tf.tidy(() => l2Normalize(encodeText(params, cfg, tf.tensor2d(tokens, [n, ctx], 'int32'))));
      try { return (await out.data()) as Float32Array; } finally { out.dispose(); }
    },
  };
}

export function textTokenizer(t: { encode(texts: readonly string[], contextLength: number): Int32Array }): TextTokenizer {
  return { encode: (texts, contextLength) => t.encode(texts, contextLength) };
}

/**
 * Opens an eval set folder (CLIP_benchmark classification layout, or our retrieval layout) as an
 * EvalReader. A missing folder is "data missing" (the task is skipped with the reason), not a failure.
 */
export async function openEvalReader(
  dir: string | null,
  opts: { batchSize: number; imageSize: number; workers?: number; what: string; kind?: 'classification' | 'retrieval' },
): Promise<EvalReader> {
  if (!dir || !fs.existsSync(dir)) {
    throw new EvalDataMissingError(`${opts.what}: no data at ${dir ?? '(no folder configured)'}; download it (clipwb data download evalsets --tasks ...), or point at the folder that holds it (clipwb eval --data-dir, clipwb train --datacomp-path)`);
  }
  const set = await openEvalSet(dir, opts.kind ? { kind: opts.kind } : {});
  const batchOptions = { batchSize: opts.batchSize, imageSize: opts.imageSize, workers: opts.workers ?? 0 };
  if (set.kind === 'classification') {
    return {
      total: set.count,
      classnames: set.classnames,
      templates: set.templates,
      async *[Symbol.asyncIterator]() {
        for await (const b of set.batches(batchOptions)) yield { images: b.images, n: b.size, labels: b.labels };
      },
    };
  }
  return {
    total: set.count,
    async *[Symbol.asyncIterator]() {
      for await (const b of set.batches(batchOptions)) yield { images: b.images, n: b.size, captions: b.captions };
    },
  };
}
