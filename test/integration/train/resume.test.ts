/**
 * Resume is exact: N steps straight, and the same run paused after N/2 steps (a checkpoint written by
 * the pause request, as Ctrl-C does) then resumed from that checkpoint for the rest, end with the same
 * weights, AdamW moments and step counts, and FastCLIP per-sample state, bit for bit. With shuffling,
 * augmentation and two loader streams, so the data position is replayed too, and across an epoch
 * boundary (γ changes there).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-worker/backend/select';
import { fixtureArgs, makeTrainFixture, type TrainFixture } from './fixtures';
import { trainInProcess } from './in-process';
import { diffCheckpoints, loadFull } from './checkpoints';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'clipwb-resume-'));
let fx: TrainFixture;
beforeAll(async () => {
  await initBackend('wasm');
  fx = await makeTrainFixture(root, { shards: 3, samplesPerShard: 16 });
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const SCHEMES = {
  v3: {},
  v2: { multiply_tau: false, temperature_scheme: 'individual_learnable', lr_tau: 0.01, temperature: 0.05 },
} as const;

describe.each(Object.entries(SCHEMES))('resume, FastCLIP %s', (name, scheme) => {
  it('N steps straight and N/2 + pause + resume + N/2 end in identical checkpoints', async () => {
    // 48 samples, batch 8, 2 loader streams: 6 steps per epoch, 2 epochs; the pause falls inside epoch 0.
    const args = fixtureArgs(fx, { epochs: 2, 'no-augment': false, workers: 2, ...scheme });
    const straight = await trainInProcess(args, path.join(root, `${name}-straight`));
    expect(straight.summary).toMatchObject({ status: 'finished', steps: 12 });

    let steps = 0;
    const paused = await trainInProcess(args, path.join(root, `${name}-paused`), {
      hooks: { afterStep: () => { steps++; }, stopRequest: () => (steps >= 5 ? 'pause' : null) },
    });
    expect(paused.summary).toMatchObject({ status: 'paused', steps: 5 });
    expect(paused.checkpoints.map((c) => path.basename(c))).toEqual(['step_5.json']);
    const resumed = await trainInProcess(args, path.join(root, `${name}-resumed`), { resumeFrom: paused.checkpoints[0]! });
    expect(resumed.summary).toMatchObject({ status: 'finished', steps: 12 });

    // The resumed part computes the same losses as the straight run's last 7 steps.
    expect([...paused.losses, ...resumed.losses]).toEqual(straight.losses);
    const d = diffCheckpoints(await loadFull(straight.checkpoints.at(-1)!), await loadFull(resumed.checkpoints.at(-1)!));
    expect(d.tensors).toBeGreaterThan(50);
    expect(d).toMatchObject({ weights: 0, optimizer: 0, objective: 0 });
  });
});
