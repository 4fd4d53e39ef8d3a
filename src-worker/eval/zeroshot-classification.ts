/**
 * Zero-shot classification of one eval set: build the classifier from class names and templates, then
 * stream the images, logits = 100 · x · W, and accumulate acc1 / acc5 / mean_per_class_recall.
 */
import * as tf from '@tensorflow/tfjs';
import { ClassificationAccumulator } from './classification-metrics';
import { embedImageBatch } from './images';
import { buildZeroShotClassifier } from './zeroshot-classifier';
import type { ClipEncoder, EvalPhase, EvalReader, Metrics, TextTokenizer } from './types';

/** CLIP's logit scale at evaluation (CLIP_benchmark multiplies by 100; it does not change the ranking). */
const EVAL_LOGIT_SCALE = 100;

export interface ClassificationInput {
  encoder: ClipEncoder;
  tokenizer: TextTokenizer;
  reader: EvalReader;
  classnames: readonly string[];
  templates: readonly string[];
  /** Names the task in errors. */
  what?: string;
  textBatchSize?: number;
  onProgress?: (phase: EvalPhase, done: number, total: number) => void;
  signal?: AbortSignal;
}

export async function evaluateZeroShotClassification(input: ClassificationInput): Promise<Metrics> {
  const { encoder, reader, classnames, signal } = input;
  const what = input.what ?? 'classification';
  const C = classnames.length;
  const d = encoder.embedDim;
  const weights = await buildZeroShotClassifier(encoder, input.tokenizer, classnames, input.templates, {
    textBatchSize: input.textBatchSize,
    onProgress: (done, total) => input.onProgress?.('texts', done, total),
    signal,
  });

  const acc = new ClassificationAccumulator(C);
  const w = tf.tensor2d(weights, [d, C]);
  try {
    input.onProgress?.('images', 0, reader.total);
    for await (const batch of reader) {
      signal?.throwIfAborted();
      if (batch.n === 0) continue;
      if (!(batch.labels instanceof Int32Array)) throw new Error(`${what}: the reader's batches carry no labels (Int32Array); is this a retrieval set?`);
      const x = await embedImageBatch(encoder, batch, what);
      const logitsT = tf.tidy(() => tf.matMul(tf.tensor2d(x, [batch.n, d]), w).mul(EVAL_LOGIT_SCALE));
      const logits = (await logitsT.data()) as Float32Array;
      logitsT.dispose();
      acc.add(logits, batch.labels, batch.n);
      input.onProgress?.('images', acc.samples, Math.max(reader.total, acc.samples));
    }
  } finally {
    w.dispose();
  }
  return acc.result();
}
