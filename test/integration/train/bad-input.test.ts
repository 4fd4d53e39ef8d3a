/**
 * Bad input fails before training with a ConfigError that names the field and says what to do, from
 * the run API's config object, the command-line flags, or the files the config points at.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-worker/backend/select';
import { ConfigError, parseTrainArgs, validateTrainConfig } from '../../../src-shared/config/train-config';
import { fixtureArgs, makeTrainFixture, writeModelConfig, type TrainFixture } from './fixtures';
import { trainInProcess } from './in-process';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'clipwb-bad-input-'));
let fx: TrainFixture;
beforeAll(async () => {
  await initBackend('wasm');
  fx = await makeTrainFixture(root, { shards: 2, samplesPerShard: 16 });
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

async function failedRun(args: string[], name: string, o: { resumeFrom?: string } = {}): Promise<ConfigError> {
  const before = tf.memory().numTensors;
  const err = await trainInProcess(args, path.join(root, name), o).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ConfigError);
  // A run that fails in set-up leaves no tensors behind.
  expect(tf.memory().numTensors).toBe(before);
  return err as ConfigError;
}

describe('configuration errors', () => {
  it('an unknown key of the run API names the key and the option meant', () => {
    const e = configError(() => validateTrainConfig({ lr_tua: 0.01 }));
    expect(e.field).toBe('lr_tua');
    expect(e.message).toBe('lr_tua: is not a training option. Did you mean "lrTau" (--lr_tau)?');
  });

  it('an unknown flag names the flag and the flag meant', () => {
    const e = configError(() => parseTrainArgs(['--batch_sise', '8']));
    expect(e.message).toBe('--batch_sise: is not a training option. Did you mean --batch-size?');
  });

  it('a negative learning rate names lr and the allowed range', () => {
    expect(configError(() => parseTrainArgs(['--lr', '-1e-3'])).message).toBe('--lr: must be greater than 0, got -0.001');
    expect(configError(() => validateTrainConfig({ lr: -1 })).field).toBe('lr');
  });

  it('a global batch larger than an epoch of data names batch-size and both fixes', () => {
    const e = configError(() => parseTrainArgs([...fixtureArgs(fx), '--batch-size', '20', '--nproc', '2']));
    expect(e.field).toBe('batch-size');
    expect(e.message).toBe('--batch-size: the global batch (20 x 2 workers) is larger than an epoch of 32 samples. Lower --batch-size or raise --train-num-samples');
  });
});

describe('errors found in set-up, before the first step', () => {
  it('a --data_size below a key of the first shard names the key and the smallest value that works', async () => {
    const e = await failedRun(fixtureArgs(fx, { data_size: 10 }), 'data-size');
    expect(e.field).toBe('data_size');
    expect(e.message).toContain(`--data_size: is 10, but sample 000000015 of ${fx.shards.paths[0]} has key 15. Set --data_size to at least 16`);
  });

  it('a --data_size that covers the first shard but not a later one trains, skipping and counting those samples', async () => {
    const run = await trainInProcess(fixtureArgs(fx, { data_size: 16, 'max-steps': 4 }), path.join(root, 'data-size-later'));
    expect(run.summary.steps).toBe(4);
    expect(run.summary.dataSummary).toMatch(/key_out_of_range/);
  });

  it('shards holding fewer usable samples than one global batch name batch-size, even when --train-num-samples is larger', async () => {
    const e = await failedRun(fixtureArgs(fx, { 'batch-size': 40, 'train-num-samples': 400 }), 'batch-over-data');
    expect(e.field).toBe('batch-size');
    expect(e.message).toBe('--batch-size: the shards hold 32 usable sample(s) (image, caption and key), fewer than one global batch of 40 ' +
      '(40 x 1 worker(s)); every batch would repeat samples. Lower --batch-size, or give more data with --train-data');
  });

  it('a missing shard names train-data and the first missing file', async () => {
    const pattern = path.join(path.dirname(fx.shards.paths[0]!), '{00000000..00000003}.tar');
    const e = await failedRun(fixtureArgs(fx, { 'train-data': pattern }), 'missing-shard');
    expect(e.field).toBe('train-data');
    expect(e.message).toContain(`2 shard(s) do not exist, e.g. ${path.join(path.dirname(fx.shards.paths[0]!), '00000002.tar')}`);
    expect(e.message).toContain('Check the path and the brace pattern');
  });

  it('a pattern that matches no file at all names train-data', async () => {
    const e = await failedRun(fixtureArgs(fx, { 'train-data': path.join(root, 'nowhere', '{0..3}.tar') }), 'no-shard');
    expect(e.field).toBe('train-data');
    expect(e.message).toMatch(/matches no existing file/);
  });

  it('--init-checkpoint of another config names the tensor, both shapes and the config it was trained with', async () => {
    const wide = await trainInProcess(fixtureArgs(fx, { 'max-steps': 1, model: writeModelConfig(path.join(root, 'configs', 'wide.json'), { visionWidth: 48, headWidth: 16 }) }), path.join(root, 'wide'));
    const ckpt = wide.checkpoints.at(-1)!;
    const e = await failedRun(fixtureArgs(fx, { 'init-checkpoint': ckpt }), 'init-other');
    expect(e.field).toBe('init-checkpoint');
    expect(e.message).toContain(`${ckpt} does not fit --model ${fx.modelPath}`);
    expect(e.message).toContain('tensor visual.class_embedding: expected shape [32], given [48]');
    expect(e.message).toContain(`It was trained with --model ${path.join(root, 'configs', 'wide.json')}`);
  });

  /** fixtureArgs without a flag (and its value). */
  const without = (args: string[], flag: string): string[] => {
    const i = args.indexOf(`--${flag}`);
    return i < 0 ? args : [...args.slice(0, i), ...args.slice(i + 2)];
  };

  it('a vocabulary larger than the model\'s vocab_size names vocab and both fixes', async () => {
    const small = writeModelConfig(path.join(root, 'configs', 'small-vocab.json'), { vocabSize: 300 });
    const e = await failedRun(fixtureArgs(fx, { model: small }), 'vocab-too-large');
    expect(e.field).toBe('vocab');
    expect(e.message).toMatch(/^--vocab: .*: \d+ ids but .*small-vocab\.json has vocab_size 300/);
    expect(e.message).toContain('Use a vocabulary of at most 300 ids');
  });

  it('no vocabulary for a model without the standard vocab_size names vocab and where to get one', async () => {
    const e = await failedRun(without(fixtureArgs(fx), 'vocab'), 'no-vocab');
    expect(e.field).toBe('vocab');
    expect(e.message).toMatch(/no tokenizer vocabulary given, and .*tiny\.json \(vocab_size 600\) has no default/);
    expect(e.message).toContain('Pass --vocab with a vocabulary of at most 600 ids');
  });

  it('a vocabulary that does not exist names vocab and the file', async () => {
    const e = await failedRun(fixtureArgs(fx, { vocab: path.join(root, 'no-such-vocab.txt.gz') }), 'vocab-missing');
    expect(e.field).toBe('vocab');
    expect(e.message).toContain(`${path.join(root, 'no-such-vocab.txt.gz')}: no such file or folder`);
  });

  it('a model with vocab_size 49408 and no --vocab trains with the shipped standard vocabulary', async () => {
    const standard = writeModelConfig(path.join(root, 'configs', 'standard-vocab.json'), { vocabSize: 49408 });
    const run = await trainInProcess(without(fixtureArgs(fx, { model: standard, 'max-steps': 1 }), 'vocab'), path.join(root, 'standard-vocab'));
    expect(run.summary.steps).toBe(1);
    expect(fs.readFileSync(path.join(root, 'standard-vocab', 'params.txt'), 'utf8')).toContain('vocab: null');
  });

  it('a batch that cannot fit in the wasm heap names batch-size, the estimate, the limit and the fixes, before building the model', async () => {
    const e = await failedRun(fixtureArgs(fx, { model: 'ViT-B-16', vocab: fx.vocabDir, 'batch-size': 24, 'train-num-samples': 32 }), 'too-big');
    expect(e.field).toBe('batch-size');
    expect(e.message).toMatch(/^--batch-size: this run needs about \d+\.\d\d GB on the wasm backend at --batch-size 24 even with activation checkpointing \(weights 0\.60 GB, gradients 0\.60 GB, /);
    expect(e.message).toMatch(/but the wasm backend's heap .* holds 3\.95 GB/);
    expect(e.message).toMatch(/To fix: lower --batch-size to \d+ or less, or keep the global batch with more processes \(--nproc \d+ --batch-size \d+\), or use --backend tensorflow/);
  });
});
