/**
 * What a loader stream is told to do and what it hands back. Plain data only: these cross the
 * worker_threads boundary by structured clone (batch pixel buffers are transferred, not copied).
 */
import type { TransformSpec } from '../transform/image-transform';

export interface TrainStreamSpec {
  kind: 'train';
  /** Every shard of the run (absolute paths, pattern order); the stream picks its own share. */
  shards: string[];
  seed: number;
  epoch: number;
  rank: number;
  worldSize: number;
  /** This stream's index among the rank's loader streams, and their count (the reference paper's --workers). */
  stream: number;
  streams: number;
  batchSize: number;
  /** Batches this stream yields in this epoch. */
  batches: number;
  /** Leading batches to pass over without decoding (resume inside an epoch). */
  skipBatches: number;
  transform: TransformSpec;
  shuffle: boolean;
  shuffleBuffer: number;
  shuffleInitial: number;
  dataSize: number;
  /** Images decoded concurrently by this stream (sharp runs them on libuv's thread pool). */
  decodeConcurrency: number;
}

export type EvalMode = 'classification' | 'retrieval';

export interface EvalStreamSpec {
  kind: 'eval';
  mode: EvalMode;
  /** This stream's shards, read in this order. */
  shards: string[];
  imageSize: number;
  batchSize: number;
  /** Labels must lie in [0, numClasses) (classification only). */
  numClasses: number;
  decodeConcurrency: number;
}

export type StreamSpec = TrainStreamSpec | EvalStreamSpec;

export interface RawTrainBatch {
  kind: 'train';
  size: number;
  imageSize: number;
  images: Float32Array;
  captions: string[];
  keys: Int32Array;
}

export interface RawEvalBatch {
  kind: 'eval';
  size: number;
  imageSize: number;
  images: Float32Array;
  /** Classification: class index per row. */
  labels?: Int32Array;
  /** Retrieval: the captions of each row's image. */
  captions?: string[][];
  /** The webdataset key of each row, for tracing results back to files. */
  sampleKeys: string[];
}

export type RawBatch = RawTrainBatch | RawEvalBatch;
