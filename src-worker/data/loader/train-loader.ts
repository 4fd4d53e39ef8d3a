/**
 * The training loader: W loader streams per rank (worker threads, or one inline stream when
 * workers = 0), each yielding batchesPerEpoch / W batches per epoch, taken round-robin as PyTorch's
 * DataLoader takes them from its workers. Captions are tokenised on the consumer's thread with the
 * caller's tokenizer (a function cannot cross into a worker thread).
 *
 * Resume: `epoch(e, { startBatch: n })` replays epoch e's shard order and shuffle from the start and
 * passes over the first n batches without decoding them, so the remaining batches contain the same
 * samples in the same order with the same crops as an uninterrupted run, provided seed, rank,
 * worldSize, workers, batchSize, shuffle settings and the shard files are the same. Not exact: an
 * image that fails to decode inside the skipped part is not detected, so every later batch of that
 * stream shifts by one sample relative to the uninterrupted run; defect counts cover only what was
 * read after the resume.
 */
import { resolveShards } from '../shards/resolve';
import { emptyStats, mergeStats, summarizeStats, type DataStats } from '../stats';
import type { Batch } from '../types';
import { InlineBatchSource, type BatchSource } from './batch-source';
import { batchesPerEpoch as computeBatchesPerEpoch, batchesTakenFromStream } from './step-accounting';
import type { TrainStreamSpec } from './stream-types';
import { ThreadBatchSource } from './thread-source';
import { LoaderOptionError, resolveTrainOptions, type TrainLoaderOptions } from './train-options';

export interface EpochOptions {
  /** Batches of this epoch already consumed before a resume (0 = from the start). */
  startBatch?: number;
}

export interface TrainLoader {
  /** Global batches per epoch (the same on every rank). */
  readonly batchesPerEpoch: number;
  /** Samples per epoch over all ranks: batchesPerEpoch · b · K (what the reference paper's log reports). */
  readonly samplesPerEpoch: number;
  /** Loader streams per rank: max(1, workers). */
  readonly streams: number;
  readonly shards: readonly string[];
  readonly missingShards: readonly string[];
  /** The batches of one epoch. Only one epoch iterator may be active at a time. */
  epoch(epoch: number, options?: EpochOptions): AsyncGenerator<Batch>;
  /** Counts since the loader was created. */
  stats(): DataStats;
  /** One line for the run log. */
  summary(): string;
  close(): Promise<void>;
}

export async function createTrainLoader(options: TrainLoaderOptions): Promise<TrainLoader> {
  const o = resolveTrainOptions(options);
  const warn = o.onWarning ?? (() => undefined);
  const { shards, missing } = resolveShards(o.trainData, o.baseDir);
  if (missing.length > 0) {
    warn(`${missing.length} shard(s) named by the pattern do not exist and are left out, e.g. ${missing.slice(0, 3).join(', ')}`);
  }
  const streams = Math.max(1, o.workers);
  if (shards.length < o.worldSize * streams) {
    warn(
      `${shards.length} shard(s) for ${o.worldSize} rank(s) x ${streams} loader stream(s): every stream reads every shard and keeps ` +
        `every ${o.worldSize * streams}-th sample (more shards, or fewer --workers, read less)`,
    );
  }
  const perEpoch = computeBatchesPerEpoch(o.trainNumSamples, o.batchSize, o.worldSize, o.workers);
  const total = emptyStats();
  const sink = (delta: DataStats): void => mergeStats(total, delta);
  const sources: BatchSource[] =
    o.workers === 0
      ? [new InlineBatchSource(sink, o.prefetch)]
      : Array.from({ length: streams }, (_, s) => new ThreadBatchSource(`clipwb-data-r${o.rank}-s${s}`, sink, o.prefetch));
  let active = false;
  let closed = false;

  const specFor = (epoch: number, stream: number, startBatch: number): TrainStreamSpec => {
    const perStream = perEpoch / streams;
    const skip = batchesTakenFromStream(startBatch, stream, streams);
    return {
      kind: 'train',
      shards,
      seed: o.seed,
      epoch,
      rank: o.rank,
      worldSize: o.worldSize,
      stream,
      streams,
      batchSize: o.batchSize,
      batches: perStream - skip,
      skipBatches: skip,
      transform: { size: o.imageSize, augment: o.augment, crop: { scale: o.cropScale } },
      shuffle: o.shuffle,
      shuffleBuffer: o.shuffleBuffer,
      shuffleInitial: o.shuffleInitial,
      dataSize: o.dataSize,
      decodeConcurrency: o.decodeConcurrency,
    };
  };

  async function* epoch(epochIndex: number, epochOptions: EpochOptions = {}): AsyncGenerator<Batch> {
    if (closed) throw new Error('the training loader is closed');
    if (!Number.isInteger(epochIndex) || epochIndex < 0) throw new LoaderOptionError(`epoch must be an integer >= 0, got ${epochIndex}`, 'epoch');
    const startBatch = epochOptions.startBatch ?? 0;
    if (!Number.isInteger(startBatch) || startBatch < 0 || startBatch > perEpoch) {
      throw new LoaderOptionError(`startBatch must be an integer in [0, ${perEpoch}], got ${startBatch}`, 'startBatch');
    }
    if (active) throw new Error('another epoch of this loader is still being iterated; finish or break out of it first');
    active = true;
    try {
      sources.forEach((source, s) => source.start(specFor(epochIndex, s, startBatch)));
      for (let index = startBatch; index < perEpoch; index++) {
        const t0 = performance.now();
        const stream = index % streams;
        const raw = await (sources[stream] as BatchSource).next();
        if (!raw || raw.kind !== 'train') throw new Error(`loader stream ${stream} ended before batch ${index} of epoch ${epochIndex}`);
        const tokens = o.tokenize(raw.captions);
        if (!(tokens instanceof Int32Array) || tokens.length === 0 || tokens.length % raw.size !== 0) {
          throw new Error(`tokenize returned ${tokens?.length} ids for ${raw.size} captions; it must return an Int32Array of captions.length x contextLength`);
        }
        const waitMs = performance.now() - t0;
        yield {
          size: raw.size,
          imageSize: raw.imageSize,
          images: raw.images,
          tokens,
          contextLength: tokens.length / raw.size,
          keys: raw.keys,
          waitMs,
          epoch: epochIndex,
          index,
        };
      }
    } finally {
      await Promise.all(sources.map((s) => s.cancel()));
      active = false;
    }
  }

  return {
    batchesPerEpoch: perEpoch,
    samplesPerEpoch: perEpoch * o.batchSize * o.worldSize,
    streams,
    shards,
    missingShards: missing,
    epoch,
    stats: () => structuredClone(total),
    summary: () => summarizeStats(total),
    close: async () => {
      if (closed) return;
      closed = true;
      await Promise.all(sources.map((s) => s.close()));
    },
  };
}
