/**
 * A run that diverges stops with a clear error and leaves no checkpoint of NaN weights behind: the newest
 * checkpoint on disk is the last good one, so a resume (after lowering --lr) starts from sane weights.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-worker/backend/select';
import { readSafetensors } from '../../../src-worker/io/safetensors';
import { fixtureArgs, makeTrainFixture, type TrainFixture } from './fixtures';
import { trainInProcess } from './in-process';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'clipwb-diverged-'));
let fx: TrainFixture;
beforeAll(async () => {
  await initBackend('wasm');
  fx = await makeTrainFixture(root, { shards: 2, samplesPerShard: 16 });
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('a diverging run', () => {
  it('fails naming the step, and every checkpoint it left holds finite weights', async () => {
    const out = path.join(root, 'run');
    const checkpoints: string[] = [];
    const err = await trainInProcess(fixtureArgs(fx, { lr: 1e39, epochs: 4, 'save-every-n-steps': 1, 'save-frequency': 0 }), out, {
      hooks: { checkpoint: (c) => checkpoints.push(c.path) },
    }).then(() => null, (e: unknown) => e as Error);
    expect(err).not.toBeNull();
    expect(err!.message).toMatch(/(loss is NaN|weights hold NaN or infinite values) at step \d+/);
    expect(err!.message).toMatch(/Lower --lr/i);
    // Nothing it wrote holds a non-finite weight, and no sidecar points at a missing or torn file.
    const dir = path.join(out, 'checkpoints');
    const sidecars = fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith('.json')) : [];
    expect(sidecars.length).toBe(checkpoints.length);
    for (const s of sidecars) {
      const { tensors } = await readSafetensors(path.join(dir, s.replace(/\.json$/, '.safetensors')));
      for (const [name, t] of tensors) expect(t.data.every((v) => Number.isFinite(v)), `${s} ${name}`).toBe(true);
    }
    expect(fs.readdirSync(fs.existsSync(dir) ? dir : out).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  }, 120_000);
});
