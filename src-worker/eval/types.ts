/**
 * The small interfaces evaluation is written against. The lead adapts the real model, tokenizer and
 * eval-set readers to them, so this module builds and tests without those parts.
 */
import { WorkbenchError } from '../../src-shared/errors';


/** A CLIP model as evaluation sees it: two encoders that return L2-normalised embeddings. */
export interface ClipEncoder {
  embedDim: number;
  imageSize: number;
  contextLength: number;
  /** images: NHWC [n, imageSize, imageSize, 3], already normalised; returns [n, embedDim] row-major. */
  encodeImages(images: Float32Array, n: number): Promise<Float32Array>;
  /** tokens: [n, contextLength] row-major; returns [n, embedDim] row-major. */
  encodeTexts(tokens: Int32Array, n: number): Promise<Float32Array>;
}

export interface TextTokenizer {
  /** Returns [texts.length, contextLength] row-major token ids, zero-padded. */
  encode(texts: string[], contextLength: number): Int32Array;
}

/** One batch from an eval-set reader. */
export interface EvalBatch {
  /** NHWC [n, imageSize, imageSize, 3], normalised as the model expects. */
  images: Float32Array;
  n: number;
  /** Classification: the class id of each image. */
  labels?: Int32Array;
  /** Retrieval: the captions of each image (COCO has about 5 per image). */
  captions?: string[][];
}

/** What `openDataset` returns for one task. */
export interface EvalReader extends AsyncIterable<EvalBatch> {
  /** Number of images the reader will yield, for progress. */
  total: number;
  /** Classification: one name per class id (classnames.txt). Overrides the task list's. */
  classnames?: string[];
  /** Classification: prompt templates with a `{c}` placeholder. Overrides the task list's. */
  templates?: string[];
}

/** A metric value; null where undefined (acc5 under 5 classes, a task without a scalar main metric). */
export type MetricValue = number | null;
export type Metrics = Record<string, MetricValue>;

export type EvalPhase = 'texts' | 'images' | 'scoring';

export interface EvalProgress {
  taskKey: string;
  taskName: string;
  /** 0-based position of this task among those requested, and how many were requested. */
  taskIndex: number;
  taskCount: number;
  /** texts: class prompts encoded; images: images encoded; scoring: retrieval rows ranked. */
  phase: EvalPhase;
  done: number;
  total: number;
}

/** Thrown (or rejected) by `openDataset` when a task's data is not on disk: the task is skipped, not failed. */
export class EvalDataMissingError extends WorkbenchError {
  readonly code = 'EVAL_DATA_MISSING';
  constructor(message: string) {
    super(message, { kind: 'not-found' });
    this.name = 'EvalDataMissingError';
  }
}

export function isDataMissingError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'EVAL_DATA_MISSING' || code === 'ENOENT';
}
