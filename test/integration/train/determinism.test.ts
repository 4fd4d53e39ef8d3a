/** The seed decides the run: initialisation, data order and crops (shuffling and augmentation on). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-worker/backend/select';
import { fixtureArgs, makeTrainFixture, type TrainFixture } from './fixtures';
import { trainInProcess } from './in-process';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'clipwb-determinism-'));
let fx: TrainFixture;
beforeAll(async () => {
  await initBackend('wasm');
  fx = await makeTrainFixture(root, { shards: 3, samplesPerShard: 16 });
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('--seed', () => {
  it('the same seed gives the same loss sequence, another seed a different one', async () => {
    const args = (seed: number) => fixtureArgs(fx, { seed, epochs: 2, 'no-augment': false, workers: 1 });
    const a = await trainInProcess(args(7), path.join(root, 'a'));
    const b = await trainInProcess(args(7), path.join(root, 'b'));
    const c = await trainInProcess(args(8), path.join(root, 'c'));
    expect(a.losses).toHaveLength(12);
    expect(b.losses).toEqual(a.losses);
    expect(c.losses).toHaveLength(12);
    // Every step differs, not only the first (the data order and crops follow the seed too).
    c.losses.forEach((l, i) => expect(l, `step ${i + 1}`).not.toBe(a.losses[i]));
  });
});
