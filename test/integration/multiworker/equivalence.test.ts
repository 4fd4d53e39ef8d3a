/**
 * Several workers, one run (docs/design/algorithms.md#global-temperature-v0-v1-v3): K = 2 worker processes of batch b, joined by the real
 * collectives, compute what one worker with batch 2b computes on the same samples: the same loss (the
 * mean of the ranks' losses), the same updated weights and AdamW moments, and the same u state.
 *
 * The samples are the same by construction: with --no-shuffle and two shards of exactly b samples,
 * K = 1 reads shard 0 then shard 1 as its batch of 2b, and K = 2 gives shard 0 to rank 0 and shard 1
 * to rank 1 (checked first, on the loader itself); the gathered global batch is rank-major, so the
 * rows line up with K = 1's.
 *
 * Tolerances (differences absolute up to 1, relative above): the sums run in a different order with
 * K = 2, so the results agree to float32 rounding, which AdamW's g/(|g| + eps) amplifies for gradient
 * entries that are small differences of large terms. Measured after two steps (v3 / v2): loss < 1.2e-7,
 * weights 2.6e-7 / 8.9e-6, AdamW moments 6.5e-9 / 1.8e-7, per-sample state 8.7e-7 / 1.5e-6. Asserted:
 * loss 1e-6, weights 2e-5 (1% of one step at lr 2e-3), moments 1e-6, state 1e-5. A wrong row offset or
 * u index would be off by a whole step (weights) and by O(1) (u).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-worker/backend/select';
import { createTrainLoader } from '../../../src-worker/data';
import { fixtureArgs, makeTrainFixture, type TrainFixture } from '../train/fixtures';
import { trainInProcess } from '../train/in-process';
import { diffCheckpoints, loadFull } from '../train/checkpoints';
import { doneSummaries, startGroup } from './worker-group';

const B = 8;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'clipwb-k2-equivalence-'));
let fx: TrainFixture;
beforeAll(async () => {
  await initBackend('wasm');
  fx = await makeTrainFixture(root, { shards: 2, samplesPerShard: B });
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function firstBatchKeys(rank: number, worldSize: number, batchSize: number): Promise<number[]> {
  const loader = await createTrainLoader({
    trainData: fx.shards.pattern, batchSize, rank, worldSize, workers: 0, trainNumSamples: 2 * B, dataSize: fx.dataSize,
    imageSize: 16, tokenize: (c) => new Int32Array(c.length), seed: 0, shuffle: false, augment: false,
  });
  try {
    for await (const batch of loader.epoch(0)) return [...batch.keys];
    return [];
  } finally {
    await loader.close();
  }
}

describe('the loader splits shards by rank', () => {
  it('K = 1 reads shard 0 then shard 1; K = 2 gives shard 0 to rank 0 and shard 1 to rank 1', async () => {
    const shard = (s: number) => fx.shards.samples.filter((x) => x.shard === s).map((x) => x.key);
    expect(await firstBatchKeys(0, 1, 2 * B)).toEqual([...shard(0), ...shard(1)]);
    expect(await firstBatchKeys(0, 2, B)).toEqual(shard(0));
    expect(await firstBatchKeys(1, 2, B)).toEqual(shard(1));
  });
});

const SCHEMES = {
  v3: {},
  v2: { multiply_tau: false, temperature_scheme: 'individual_learnable', lr_tau: 0.01, temperature: 0.05 },
} as const;

describe.each(Object.entries(SCHEMES))('K = 2 workers of batch b against K = 1 of batch 2b, FastCLIP %s', (name, scheme) => {
  it('same loss, weights, AdamW moments and u state after each of two steps', async () => {
    // One batch per epoch; two epochs give a second step whose u update starts from the first's u.
    const common = { 'no-shuffle': true, 'no-augment': false, 'train-num-samples': 2 * B, epochs: 2, 'save-frequency': 1, ...scheme };
    const one = await trainInProcess(fixtureArgs(fx, { ...common, 'batch-size': 2 * B }), path.join(root, `${name}-k1`));
    const two = startGroup({ args: fixtureArgs(fx, { ...common, 'batch-size': B }), worldSize: 2, outDir: path.join(root, `${name}-k2`) });
    const losses: number[] = [];
    const outcome = await two.finished;
    for (const m of outcome.messages) if (m.rank === 0 && m.msg.type === 'metrics') for (const p of m.msg.points) if (p.key === 'train/loss') losses.push(p.value!);
    expect(outcome.exits.map((e) => e.code)).toEqual([0, 0]);
    expect(outcome.protocolErrors).toEqual([]);
    const done = doneSummaries(outcome);
    // Each rank reports the global batch's loss: the mean of the ranks' own losses.
    expect(done.get(0)!.lastLoss).toBe(done.get(1)!.lastLoss);
    expect(losses).toHaveLength(2);
    losses.forEach((l, i) => expect(Math.abs(l - one.losses[i]!), `step ${i + 1}`).toBeLessThan(1e-6));

    for (const tag of ['epoch_1', 'epoch_2']) {
      const d = diffCheckpoints(await loadFull(path.join(root, `${name}-k1`, 'checkpoints', `${tag}.json`)),
        await loadFull(path.join(root, `${name}-k2`, 'checkpoints', `${tag}.json`)));
      expect(d.weights, tag).toBeLessThan(2e-5);
      expect(d.optimizer, tag).toBeLessThan(1e-6);
      expect(d.objective, tag).toBeLessThan(1e-5);
    }
  });
});
