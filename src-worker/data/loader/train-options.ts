/**
 * Options of the training loader, their defaults and their validation. Each error names the option
 * (and the reference paper's command-line flag it corresponds to) and says what values are accepted.
 */
import { WorkbenchError } from '../../../src-shared/errors';

export interface TrainLoaderOptions {
  /** Shard patterns: brace-expanded, several joined with `::`, or a list (--train-data). */
  trainData: string | string[];
  /** Directory that relative patterns are resolved against (default: the process's cwd). */
  baseDir?: string;
  /** Per-rank batch size b (--batch-size). */
  batchSize: number;
  rank?: number;
  worldSize?: number;
  /**
   * Loader streams per rank (--workers). Each runs in its own worker thread; 0 runs one stream on
   * the calling thread (decoding still happens on libuv's threads). Counts as max(1, workers) in the
   * step accounting, as in the reference paper's code.
   */
  workers: number;
  /** Epoch length N (--train-num-samples). */
  trainNumSamples: number;
  /** Size of the per-sample state arrays; samples with key >= dataSize are skipped (--data_size). */
  dataSize: number;
  /** Side of the square training images (224 for ViT-B-16). */
  imageSize: number;
  /** Captions → token ids, row-major [captions.length, contextLength]. */
  tokenize: (captions: string[]) => Int32Array;
  /** The run's seed (--seed). */
  seed: number;
  /** False: shards and samples in order (--no-shuffle). Default true. */
  shuffle?: boolean;
  /** False: eval transform (resize + centre crop) instead of RandomResizedCrop (--no-augment). Default true. */
  augment?: boolean;
  /** RandomResizedCrop scale range (default [0.9, 1.0], open_clip's). */
  cropScale?: [number, number];
  /** Sample shuffle buffer size and initial fill (defaults 5000 and 1000, as the reference paper's code). */
  shuffleBuffer?: number;
  shuffleInitial?: number;
  /** Batches each stream may prepare ahead of the consumer (default 2, PyTorch's prefetch_factor). */
  prefetch?: number;
  /** Images each stream decodes concurrently (default 2). */
  decodeConcurrency?: number;
  /** Receives warnings (missing shards, sample-level splitting) for the run log. */
  onWarning?: (message: string) => void;
}

export type ResolvedTrainOptions = Required<Omit<TrainLoaderOptions, 'onWarning' | 'baseDir'>> & Pick<TrainLoaderOptions, 'onWarning' | 'baseDir'>;

export class LoaderOptionError extends WorkbenchError {
  constructor(
    message: string,
    readonly option: string,
  ) {
    super(message, { kind: 'invalid', field: option });
    this.name = 'LoaderOptionError';
  }
}

function int(name: string, flag: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`;
    throw new LoaderOptionError(`${name}${flag ? ` (${flag})` : ''} must be ${range}, got ${JSON.stringify(value)}`, name);
  }
  return value;
}

export function resolveTrainOptions(o: TrainLoaderOptions): ResolvedTrainOptions {
  if (typeof o.tokenize !== 'function') throw new LoaderOptionError('tokenize must be a function (captions: string[]) => Int32Array', 'tokenize');
  const worldSize = int('worldSize', '', o.worldSize ?? 1, 1);
  const shuffleBuffer = int('shuffleBuffer', '', o.shuffleBuffer ?? 5000, 1);
  const cropScale = o.cropScale ?? [0.9, 1.0];
  if (!(cropScale[0] > 0 && cropScale[0] <= cropScale[1] && cropScale[1] <= 1)) {
    throw new LoaderOptionError(`cropScale must satisfy 0 < lo <= hi <= 1, got [${cropScale.join(', ')}]`, 'cropScale');
  }
  if (!(typeof o.trainData === 'string' ? o.trainData.trim() : o.trainData?.length)) {
    throw new LoaderOptionError('trainData (--train-data) is empty: give shard paths such as ./data/00000{000..139}.tar', 'trainData');
  }
  return {
    trainData: o.trainData,
    baseDir: o.baseDir,
    batchSize: int('batchSize', '--batch-size', o.batchSize, 1),
    rank: int('rank', '', o.rank ?? 0, 0, worldSize - 1),
    worldSize,
    workers: int('workers', '--workers', o.workers, 0, 64),
    trainNumSamples: int('trainNumSamples', '--train-num-samples', o.trainNumSamples, 1),
    dataSize: int('dataSize', '--data_size', o.dataSize, 1),
    imageSize: int('imageSize', '', o.imageSize, 1, 4096),
    tokenize: o.tokenize,
    seed: int('seed', '--seed', o.seed, 0),
    shuffle: o.shuffle ?? true,
    augment: o.augment ?? true,
    cropScale,
    shuffleBuffer,
    shuffleInitial: int('shuffleInitial', '', o.shuffleInitial ?? Math.min(1000, shuffleBuffer), 1, shuffleBuffer),
    prefetch: int('prefetch', '', o.prefetch ?? 2, 1, 64),
    decodeConcurrency: int('decodeConcurrency', '', o.decodeConcurrency ?? 2, 1, 256),
    onWarning: o.onWarning,
  };
}
