/**
 * train/scale is the logit scale the step's forward pass used, read before the optimiser updates it, as
 * the seed logs it (its logit_scale comes out of the model's forward). A learnable scale with a large
 * lr_tau moves on every step, so a value logged after the update would be one step ahead.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-worker/backend/select';
import { readSafetensors } from '../../../src-worker/io/safetensors';
import { resolveCheckpoint } from '../../../src-worker/io/checkpoint';
import type { MetricPoint } from '../../../src-worker/protocol';
import { fixtureArgs, makeTrainFixture, type TrainFixture } from './fixtures';
import { trainInProcess } from './in-process';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'clipwb-scale-log-'));
let fx: TrainFixture;
beforeAll(async () => {
  await initBackend('wasm');
  fx = await makeTrainFixture(root, { shards: 2, samplesPerShard: 16 });
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function scalesOf(steps: number, dir: string): Promise<{ logged: number[]; final: number }> {
  const logged: number[] = [];
  const run = await trainInProcess(fixtureArgs(fx, { 'max-steps': steps, temperature: 0.07, lr_tau: 0.05, lr_tau_scheduler: 'const' }), path.join(root, dir), {
    hooks: { metrics: (points: MetricPoint[]) => { for (const p of points) if (p.key === 'train/scale') logged[p.step - 1] = p.value ?? Number.NaN; } },
  });
  const { weights } = resolveCheckpoint(run.checkpoints.at(-1)!);
  const theta = (await readSafetensors(weights, { names: ['logit_scale'] })).tensors.get('logit_scale')!;
  return { logged, final: Math.exp(Number(theta.data[0])) };
}

describe('train/scale', () => {
  it('is the scale of the forward pass: the initial 1/T at step 1, and at step n+1 the scale n updates left', async () => {
    const three = await scalesOf(3, 'three');
    const four = await scalesOf(4, 'four');
    expect(three.logged).toHaveLength(3);
    expect(three.logged[0]).toBeCloseTo(1 / 0.07, 4);
    // The scale moves on every step (otherwise this test could not tell before from after).
    expect(Math.abs(three.final - three.logged[2]!)).toBeGreaterThan(1e-3);
    expect(Math.abs(three.logged[1]! - three.logged[0]!)).toBeGreaterThan(1e-3);
    // The same seed gives the same first steps: step 4's logged scale is what 3 updates left.
    expect(four.logged.slice(0, 3)).toEqual(three.logged);
    expect(four.logged[3]).toBeCloseTo(three.final, 4);
  }, 120_000);
});
