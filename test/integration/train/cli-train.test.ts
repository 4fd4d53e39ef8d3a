/**
 * `clipwb train` as a user runs it: a child process that records the run in a store and forks the
 * worker, on shards the test generates, with a tiny config and a vocabulary trained from the captions.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureArgs, makeTrainFixture, type TrainFixture } from './fixtures';
import { REPO, runCli, runDirOf } from './cli';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'clipwb-cli-train-'));
let fx: TrainFixture;
beforeAll(async () => { fx = await makeTrainFixture(root, { shards: 2, samplesPerShard: 32 }); });
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const home = () => ['--home', path.join(root, 'home')];
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('clipwb train', () => {
  it('trains a tiny FastCLIP v3 model on generated shards: the loss falls, out.log and a checkpoint are written', async () => {
    const r = await runCli(['train', ...home(), ...fixtureArgs(fx, { epochs: 3, logs: path.join(root, 'runs') })]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/: finished$/m);
    const dir = runDirOf(r);
    const lines = fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; loss: number });
    expect(lines.map((l) => l.step)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    const losses = lines.map((l) => l.loss);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(mean(losses.slice(-4))).toBeLessThan(mean(losses.slice(0, 4)));

    const outLog = fs.readFileSync(path.join(dir, 'out.log'), 'utf8');
    expect(outLog).toMatch(/Train Epoch: 2 \[64\/64 \(100%\)\]/);
    expect(outLog).toMatch(/gamma: 1\n/);
    for (const f of ['epoch_3.json', 'epoch_3.safetensors', 'epoch_3.state.safetensors']) expect(fs.existsSync(path.join(dir, 'checkpoints', f)), f).toBe(true);
    const sidecar = JSON.parse(fs.readFileSync(path.join(dir, 'checkpoints', 'epoch_3.json'), 'utf8')) as { step: number; epoch: number; objective: string };
    expect(sidecar).toMatchObject({ step: 24, epoch: 3, objective: 'fastclip-v3' });
    expect(fs.readFileSync(path.join(dir, 'params.txt'), 'utf8')).toMatch(/^multiplyTau: true$/m);
  });

  it('trains from a folder outside the project, through a linked command (as npm link / npx install it)', async () => {
    // A fresh folder with no node_modules: the worker's TypeScript loader must not be looked up here.
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'clipwb-elsewhere-'));
    try {
      const binDir = path.join(elsewhere, 'bin');
      fs.mkdirSync(binDir);
      const linked = path.join(binDir, 'clipwb');
      fs.symlinkSync(path.join(REPO, 'bin', 'clipwb.mjs'), linked);
      const r = await runCli(['train', '--home', path.join(elsewhere, 'home'), ...fixtureArgs(fx, { 'max-steps': 2, logs: 'runs' })], 90_000, { cwd: elsewhere, script: linked });
      expect(r.code, r.stderr + r.stdout).toBe(0);
      expect(r.stdout).toMatch(/: finished$/m);
      const dir = runDirOf(r);
      // --logs is relative to the caller's folder, as a user expects.
      expect(dir.startsWith(path.join(fs.realpathSync(elsewhere), 'runs')) || dir.startsWith(path.join(elsewhere, 'runs'))).toBe(true);
      expect(fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('rejects an unknown flag before starting anything, naming it and the flag meant', async () => {
    const r = await runCli(['train', ...home(), ...fixtureArgs(fx), '--lr_tua', '1e-3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: --lr_tua: is not a training option. Did you mean --lr_tau?');
  });

  it('fails a run whose --data_size is below a key of the first shard, naming the key and the value to use', async () => {
    const r = await runCli(['train', ...home(), ...fixtureArgs(fx, { data_size: 20, logs: path.join(root, 'runs') })]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/: failed$/m);
    expect(r.stdout).toMatch(/^error: rank 0: --data_size: is 20, but sample 000000031 of .+ has key 31\. Set --data_size to at least 32,/m);
    expect(r.stdout).toContain(fx.shards.paths[0]);
    // Nothing was trained.
    expect(fs.existsSync(path.join(runDirOf(r), 'checkpoints'))).toBe(false);
  });
});
