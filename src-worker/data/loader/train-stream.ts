/**
 * One training loader stream (the equivalent of one PyTorch DataLoader worker in the reference paper's code): reads its
 * share of the shards, restarting its shard list as often as the epoch needs (webdataset's
 * with_epoch), checks and shuffles samples, decodes and augments images, and yields exactly
 * `spec.batches` full batches. A batch never spans two passes: the samples left over at the end of a
 * pass (fewer than a batch) are dropped and the next batch starts the next pass, as webdataset's
 * `batched(partial=False)` inside `with_epoch` does in the reference paper's code. All randomness is seeded from
 * (seed, epoch, rank, stream, key):
 *   shard order      ← (seed, epoch, pass)               identical on every rank and stream
 *   shuffle buffer   ← (seed, epoch, rank, stream)
 *   crop of a sample ← (seed, epoch, pass, key)          independent of decode timing and resume
 */
import { mixSeed, Rng } from '../rng';
import { readShardSamples } from '../samples/shard-samples';
import { ShuffleBuffer } from '../samples/shuffle-buffer';
import { checkTrainSample, TRAIN_EXTENSIONS, type TrainSample } from '../samples/train-sample';
import { recordDefect, totalSkipped, type DataStats, type DefectKind } from '../stats';
import { decodeTransformed, normaliseInto } from '../transform/image-transform';
import { DecodeWindow } from './decode-window';
import { assignShards } from './shard-assignment';
import type { RawTrainBatch, TrainStreamSpec } from './stream-types';
import { WorkbenchError } from '../../../src-shared/errors';

const SEED_TAG_SAMPLES = 0x53a1;
const SEED_TAG_CROP = 0xc409;
/** A stream gives up when this many passes in a row over its shards produced no usable sample. */
const MAX_EMPTY_PASSES = 3;

interface PassSample {
  sample: TrainSample;
  pass: number;
}

export class NoUsableSamplesError extends WorkbenchError {
  constructor(message: string) {
    super(message, { kind: 'invalid' });
    this.name = 'NoUsableSamplesError';
  }
}

/** The usable samples of this stream's share of one pass over the shards. */
async function* passSamples(spec: TrainStreamSpec, stats: DataStats, pass: number, counter: { usable: number }): AsyncGenerator<PassSample> {
  const assignment = assignShards({ ...spec, pass });
  const split = assignment.sampleSplit;
  // When all streams read all shards, only stream 0 of the rank counts shard-level damage.
  const countShardDefects = !split || spec.stream === 0;
  let index = 0;
  for (const shard of assignment.shards) {
    stats.shardsOpened++;
    const samples = readShardSamples(shard, {
      onDefect: (kind, detail) => {
        if (countShardDefects) recordDefect(stats, kind, detail);
      },
      wantExtension: (ext) => TRAIN_EXTENSIONS.has(ext),
    });
    for await (const raw of samples) {
      const i = index++;
      if (split && i % split.modulo !== split.residue) continue;
      const check = checkTrainSample(raw, spec.dataSize);
      if (!check.ok) {
        recordDefect(stats, check.kind, check.detail);
        continue;
      }
      counter.usable++;
      yield { sample: check.sample, pass };
    }
  }
}

/**
 * Pass after pass, forever: every usable sample once per pass. The shuffle buffer is emptied at the
 * end of each pass, as webdataset's pipeline is when with_epoch restarts it, so passes never mix.
 */
async function* shuffledSamples(spec: TrainStreamSpec, stats: DataStats): AsyncGenerator<PassSample> {
  const rng = new Rng(mixSeed(spec.seed, spec.epoch, spec.rank, spec.stream, SEED_TAG_SAMPLES));
  let emptyPasses = 0;
  for (let pass = 0; ; pass++) {
    if (pass > 0) stats.shardListRestarts++;
    const counter = { usable: 0 };
    if (spec.shuffle) {
      const buffer = new ShuffleBuffer<PassSample>(rng, spec.shuffleBuffer, spec.shuffleInitial);
      for await (const item of passSamples(spec, stats, pass, counter)) {
        const out = buffer.push(item);
        if (out) yield out;
      }
      for (let out = buffer.takeRandom(); out; out = buffer.takeRandom()) yield out;
    } else {
      yield* passSamples(spec, stats, pass, counter);
    }
    emptyPasses = counter.usable === 0 ? emptyPasses + 1 : 0;
    if (emptyPasses >= MAX_EMPTY_PASSES) {
      throw new NoUsableSamplesError(
        `loader stream ${spec.stream} of rank ${spec.rank} found no usable sample in ${MAX_EMPTY_PASSES} passes over its shards ` +
          `(${totalSkipped(stats)} skipped so far: ${stats.examples.slice(0, 3).join(' | ') || 'the shards hold no samples'}). ` +
          'Check that the shards hold image + txt + json members and that json "key" < --data-size.',
      );
    }
  }
}

export async function* trainStream(spec: TrainStreamSpec, stats: DataStats): AsyncGenerator<RawTrainBatch> {
  const { batchSize: b, transform } = spec;
  const pixelsPerImage = transform.size * transform.size;
  const source = shuffledSamples(spec, stats);
  const window = new DecodeWindow<PassSample>(spec.decodeConcurrency);
  let sourceDone = false;

  const pull = async (): Promise<PassSample | undefined> => {
    if (sourceDone) return undefined;
    const next = await source.next();
    if (next.done) {
      sourceDone = true;
      return undefined;
    }
    return next.value;
  };
  // Never decode ahead past the end of the epoch: that work would be thrown away.
  const launch = async (stillNeeded: number): Promise<void> => {
    while (!window.full && window.size < stillNeeded) {
      const item = await pull();
      if (!item) return;
      const rng = new Rng(mixSeed(spec.seed, spec.epoch, item.pass, item.sample.key, SEED_TAG_CROP));
      window.submit(item, () => decodeTransformed(item.sample.image, transform, rng));
    }
  };

  try {
    // The pass the batch being filled belongs to; a sample of a later pass drops the partial batch.
    let batchPass = -1;
    // Resume: the same samples are drawn in the same order and cut into batches at the same places
    // (pass ends included), but not decoded.
    for (let skipped = 0, inBatch = 0; skipped < spec.skipBatches;) {
      const item = await pull();
      if (!item) return;
      if (item.pass !== batchPass) {
        if (inBatch > 0) stats.droppedAtPassEnd += inBatch;
        batchPass = item.pass;
        inBatch = 0;
      }
      if (++inBatch === b) {
        skipped++;
        inBatch = 0;
      }
    }
    for (let produced = 0; produced < spec.batches; produced++) {
      const images = new Float32Array(b * pixelsPerImage * 3);
      const captions: string[] = [];
      const keys = new Int32Array(b);
      while (captions.length < b) {
        await launch((spec.batches - produced) * b - captions.length);
        const done = await window.next();
        if (!done) return; // the source is infinite unless it threw; nothing left to decode
        const { item, result } = done;
        if (!result.ok) {
          recordDefect(stats, 'decode_failed' satisfies DefectKind, `${item.sample.origin}: ${result.error}`);
          continue;
        }
        if (item.pass !== batchPass) {
          // The pass ended with a partial batch: drop it (its rows are overwritten) and start afresh.
          stats.droppedAtPassEnd += captions.length;
          captions.length = 0;
          batchPass = item.pass;
        }
        const row = captions.length;
        normaliseInto(result.pixels.data, result.pixels.channels, pixelsPerImage, images, row * pixelsPerImage * 3);
        keys[row] = item.sample.key;
        captions.push(item.sample.caption);
      }
      stats.batches++;
      stats.samples += b;
      yield { kind: 'train', size: b, imageSize: transform.size, images, captions, keys };
    }
  } finally {
    await window.settle();
    await source.return(undefined);
  }
}
