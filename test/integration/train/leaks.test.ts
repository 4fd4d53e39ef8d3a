/**
 * No tensor leaks in the training loop: the number of live tensors after step 100 is the one after
 * step 10 (epoch boundaries, checkpoints and log flushes in between), and a finished run releases
 * everything it allocated.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-worker/backend/select';
import { fixtureArgs, makeTrainFixture, type TrainFixture } from './fixtures';
import { trainInProcess } from './in-process';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'clipwb-leaks-'));
let fx: TrainFixture;
beforeAll(async () => {
  await initBackend('wasm');
  fx = await makeTrainFixture(root, { shards: 2, samplesPerShard: 32 });
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const SCHEMES = {
  'FastCLIP v3': {},
  'FastCLIP v2': { multiply_tau: false, temperature_scheme: 'individual_learnable', lr_tau: 0.01, temperature: 0.05 },
  InfoNCE: { fastclip: false, multiply_tau: false },
} as const;

describe.each(Object.entries(SCHEMES))('tensors in a run, %s', (name, scheme) => {
  it('the count after step 100 equals the count after step 10, and nothing is left after the run', async () => {
    const before = tf.memory().numTensors;
    const counts = new Map<number, number>();
    // 64 samples in batches of 8: 8 steps per epoch, 13 epochs; a checkpoint after every epoch.
    const run = await trainInProcess(fixtureArgs(fx, { epochs: 13, 'grad-clip-norm': 1, ...scheme }), path.join(root, name.replace(/\W+/g, '-')), {
      hooks: { afterStep: ({ step }) => { if (step === 10 || step === 100) counts.set(step, tf.memory().numTensors); } },
    });
    expect(run.summary.steps).toBe(104);
    expect(run.checkpoints).toHaveLength(13);
    expect(counts.get(10)).toBeGreaterThan(before);
    expect(counts.get(100)).toBe(counts.get(10));
    expect(tf.memory().numTensors).toBe(before);
  });
});
