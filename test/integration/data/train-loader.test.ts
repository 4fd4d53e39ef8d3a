import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrainLoader, type TrainLoader } from '../../../src-worker/data/loader/train-loader';
import type { TrainLoaderOptions } from '../../../src-worker/data/loader/train-options';
import type { Batch } from '../../../src-worker/data/types';
import { makeShards, serialFromPixels, type MadeShards } from '../../helpers/shards';

const IMAGE = 8;
const CONTEXT = 3;
/** A stand-in tokenizer: [key-ish hash, length, 0] per caption, enough to check the plumbing. */
const tokenize = (captions: string[]): Int32Array => {
  const out = new Int32Array(captions.length * CONTEXT);
  captions.forEach((c, i) => {
    out[i * CONTEXT] = Number(/sample (\d+)/.exec(c)?.[1] ?? -1);
    out[i * CONTEXT + 1] = c.length;
  });
  return out;
};

let root: string;
let clean: MadeShards;
let damaged: MadeShards;
const DATA_SIZE = 100_000;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'clipwb-loader-'));
  clean = await makeShards(path.join(root, 'clean'), { shards: 4, samplesPerShard: 12 });
  damaged = await makeShards(path.join(root, 'damaged'), {
    shards: 3,
    samplesPerShard: 13,
    defects: {
      undecodable: [{ shard: 0, offset: 7 }],
      missingImage: [{ shard: 0, offset: 9 }],
      corruptImageHeader: [{ shard: 0, offset: 11 }],
      corruptCaptionHeader: [{ shard: 1, offset: 5 }],
      missingCaption: [{ shard: 1, offset: 8 }],
      missingJson: [{ shard: 2, offset: 5 }],
      jsonWithoutKey: [{ shard: 1, offset: 10 }],
      keyOverride: [{ shard: 2, offset: 7, key: DATA_SIZE + 5 }],
      truncateAt: [{ shard: 2, offset: 10 }],
    },
  });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function options(made: MadeShards, extra: Partial<TrainLoaderOptions>): TrainLoaderOptions {
  return {
    trainData: made.pattern,
    batchSize: 4,
    workers: 0,
    trainNumSamples: made.validKeys.length,
    dataSize: DATA_SIZE,
    imageSize: IMAGE,
    tokenize,
    seed: 2025,
    shuffleBuffer: 16,
    shuffleInitial: 4,
    ...extra,
  };
}

async function collect(loader: TrainLoader, epoch: number, startBatch = 0): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of loader.epoch(epoch, { startBatch })) out.push(b);
  return out;
}

const keysOf = (batches: Batch[]) => batches.flatMap((b) => Array.from(b.keys));

/** Each row's pixels must show the image of the sample whose key the row carries. */
function expectRowsMatchKeys(made: MadeShards, batches: Batch[]): void {
  for (const b of batches) {
    for (let r = 0; r < b.size; r++) {
      const key = b.keys[r];
      const sample = made.samples.find((s) => s.key === key);
      expect(sample, `key ${key}`).toBeDefined();
      if (sample && !sample.grayscale) expect(made.bySerial.get(serialFromPixels(b.images, r, IMAGE))?.key).toBe(key);
    }
  }
}

describe('training loader', () => {
  it('without shuffling, yields every valid sample once per pass in file order, restarting the shard list as the epoch needs', async () => {
    const valid = clean.validKeys;
    const loader = await createTrainLoader(options(clean, { shuffle: false, trainNumSamples: valid.length * 2 + 8 }));
    try {
      expect(loader.batchesPerEpoch).toBe(Math.ceil((valid.length * 2 + 8) / 4));
      const batches = await collect(loader, 0);
      expect(keysOf(batches)).toEqual([...valid, ...valid, ...valid.slice(0, 8)]);
      expect(loader.stats().shardListRestarts).toBe(2);
      expectRowsMatchKeys(clean, batches);
      const b0 = batches[0] as Batch;
      expect(b0.images).toHaveLength(4 * IMAGE * IMAGE * 3);
      expect(b0.contextLength).toBe(CONTEXT);
      expect(Array.from(b0.tokens.filter((_, i) => i % CONTEXT === 0))).toEqual(Array.from(b0.keys));
      expect(batches.every((b) => b.waitMs >= 0 && b.epoch === 0)).toBe(true);
      expect(batches.map((b) => b.index)).toEqual(batches.map((_, i) => i));
    } finally {
      await loader.close();
    }
  });

  it('drops the partial batch at the end of a pass and starts the next batch on the next pass, as the seed does', async () => {
    // 48 valid samples per pass, batch 5: 9 full batches (45 samples) per pass, 3 left over and dropped.
    const valid = clean.validKeys;
    expect(valid).toHaveLength(48);
    const loader = await createTrainLoader(options(clean, { shuffle: false, batchSize: 5, trainNumSamples: 100 }));
    try {
      expect(loader.batchesPerEpoch).toBe(20);
      const batches = await collect(loader, 0);
      expect(batches).toHaveLength(20);
      expect(batches.every((b) => b.size === 5)).toBe(true);
      expect(keysOf(batches)).toEqual([...valid.slice(0, 45), ...valid.slice(0, 45), ...valid.slice(0, 10)]);
      expect(loader.stats().shardListRestarts).toBe(2);
      expect(loader.stats().droppedAtPassEnd).toBe(6);
      expect(loader.summary()).toContain('6 samples dropped at pass ends');
      expectRowsMatchKeys(clean, batches);
    } finally {
      await loader.close();
    }
  });

  it('shuffled, threaded and resumed across a pass end: batches never mix passes, resume cuts them at the same places', async () => {
    // Two worker threads, two shards each: 24 samples per stream and pass, batch 5 -> 4 batches per pass, 4 dropped.
    const opts = options(clean, { workers: 2, batchSize: 5, trainNumSamples: 80 });
    const full = await createTrainLoader(opts);
    const resumed = await createTrainLoader(opts);
    try {
      const all = await collect(full, 3);
      expect(all).toHaveLength(16);
      // Round-robin over the two streams: batches 0,2,4,6 are stream 0's first pass, 8,10,12,14 its second.
      // A stream's pass reads 2 of the 4 shards (key = shard * 10000 + offset): its 4 batches hold 20
      // distinct keys of exactly those 2 shards, none left over from the pass before.
      for (const stream of [0, 1]) {
        const mine = all.filter((_, i) => i % 2 === stream);
        for (const pass of [0, 1]) {
          const keys = keysOf(mine.slice(pass * 4, pass * 4 + 4));
          expect(new Set(keys).size, `stream ${stream} pass ${pass}`).toBe(20);
          expect(new Set(keys.map((k) => Math.floor(k / 10000))).size, `stream ${stream} pass ${pass}`).toBe(2);
        }
      }
      expect(full.stats().droppedAtPassEnd).toBe(8);
      const tail = await collect(resumed, 3, 9);
      expect(keysOf(tail)).toEqual(keysOf(all.slice(9)));
      tail.forEach((batch, i) => expect(batch.images).toEqual(all[9 + i]?.images));
    } finally {
      await Promise.all([full.close(), resumed.close()]);
    }
  });

  it('shuffled: each pass is a permutation of the valid samples, reproducible for a seed, different for another seed or epoch', async () => {
    const valid = clean.validKeys;
    const run = async (seed: number, epoch: number) => {
      const loader = await createTrainLoader(options(clean, { seed }));
      try {
        return keysOf(await collect(loader, epoch));
      } finally {
        await loader.close();
      }
    };
    const a = await run(1, 0);
    expect([...a].sort((x, y) => x - y)).toEqual([...valid].sort((x, y) => x - y));
    expect(a).not.toEqual(valid);
    expect(await run(1, 0)).toEqual(a);
    expect(await run(2, 0)).not.toEqual(a);
    expect(await run(1, 1)).not.toEqual(a);
  });

  it('skips and counts every kind of bad sample, and never yields one', async () => {
    const expected = damaged.samples.filter((s) => s.valid && s.key < DATA_SIZE).map((s) => s.key);
    const loader = await createTrainLoader(options(damaged, { shuffle: false, trainNumSamples: expected.length }));
    try {
      expect(expected.length % 4).toBe(0);
      const batches = await collect(loader, 0);
      expect(keysOf(batches)).toEqual(expected);
      expectRowsMatchKeys(damaged, batches);
      const stats = loader.stats();
      expect(stats.skipped).toEqual({
        corrupt_header: 2,
        truncated_shard: 1,
        unreadable_shard: 0,
        duplicate_member: 0,
        no_image: 2,
        no_caption: 2,
        no_key: 2,
        key_out_of_range: 1,
        decode_failed: 1,
      });
      expect(stats.samples).toBe(expected.length);
      expect(stats.shardListRestarts).toBe(0);
      expect(loader.summary()).toMatch(/skipped 11 \(corrupt_header 2, truncated_shard 1, no_image 2, no_caption 2, no_key 2, key_out_of_range 1, decode_failed 1\)/);
      expect(stats.examples.some((e) => e.startsWith('decode_failed:') && e.includes('000000007'))).toBe(true);
    } finally {
      await loader.close();
    }
  });

  it('splits shards by rank and by worker thread, disjoint and covering, and keeps rows aligned with keys across threads', async () => {
    const seen: number[] = [];
    for (let rank = 0; rank < 2; rank++) {
      const loader = await createTrainLoader(options(clean, { rank, worldSize: 2, workers: 2 }));
      try {
        expect(loader.batchesPerEpoch).toBe(6);
        const batches = await collect(loader, 3);
        expectRowsMatchKeys(clean, batches);
        seen.push(...keysOf(batches));
      } finally {
        await loader.close();
      }
    }
    expect(seen.sort((a, b) => a - b)).toEqual([...clean.validKeys].sort((a, b) => a - b));
  });

  it('with fewer shards than ranks x workers, splits by sample instead, still disjoint and covering', async () => {
    const two = await makeShards(path.join(root, 'two'), { shards: 2, samplesPerShard: 16 });
    const warnings: string[] = [];
    const seen: number[] = [];
    for (let rank = 0; rank < 2; rank++) {
      const loader = await createTrainLoader(options(two, { rank, worldSize: 2, workers: 2, onWarning: (w) => warnings.push(w) }));
      try {
        seen.push(...keysOf(await collect(loader, 0)));
      } finally {
        await loader.close();
      }
    }
    expect(seen.sort((a, b) => a - b)).toEqual([...two.validKeys].sort((a, b) => a - b));
    expect(warnings.join('\n')).toMatch(/every stream reads every shard/);
  });

  it('a worker thread and the inline stream produce identical batches for the same settings', async () => {
    const inline = await createTrainLoader(options(clean, { workers: 0 }));
    const threaded = await createTrainLoader(options(clean, { workers: 1 }));
    try {
      const a = await collect(inline, 2);
      const b = await collect(threaded, 2);
      expect(keysOf(b)).toEqual(keysOf(a));
      b.forEach((batch, i) => expect(batch.images).toEqual(a[i]?.images));
    } finally {
      await Promise.all([inline.close(), threaded.close()]);
    }
  });

  it('resumes inside an epoch with the same samples, order and crops as the uninterrupted run', async () => {
    const opts = options(clean, { workers: 2, trainNumSamples: clean.validKeys.length * 2 });
    const full = await createTrainLoader(opts);
    const resumed = await createTrainLoader(opts);
    try {
      const all = await collect(full, 4);
      const tail = await collect(resumed, 4, 5);
      expect(tail.map((b) => b.index)).toEqual(all.slice(5).map((b) => b.index));
      expect(keysOf(tail)).toEqual(keysOf(all.slice(5)));
      tail.forEach((batch, i) => expect(batch.images).toEqual(all[5 + i]?.images));
      // Leaving an epoch early and starting another works; the early exit stops the threads' run.
      let n = 0;
      for await (const _b of full.epoch(5)) if (++n === 2) break;
      expect((await collect(full, 5)).length).toBe(full.batchesPerEpoch);
    } finally {
      await Promise.all([full.close(), resumed.close()]);
    }
  });

  it('explains a pattern that matches no file, and fails rather than spins when no sample is usable', async () => {
    await expect(createTrainLoader(options(clean, { trainData: path.join(root, 'nope', '{0..3}.tar') }))).rejects.toThrow(/shard pattern ".*nope.*" matches no existing file/);
    const junk = path.join(root, 'junk.tar');
    writeFileSync(junk, Buffer.alloc(4096, 0x41));
    const loader = await createTrainLoader(options(clean, { trainData: junk }));
    try {
      await expect(collect(loader, 0)).rejects.toThrow(/found no usable sample/);
      expect(loader.stats().skipped.corrupt_header).toBeGreaterThan(0);
    } finally {
      await loader.close();
    }
  });
});
