import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stallLimitMs, median } from '../../../src-main/runs/stall';
import { absolutizeConfigPaths } from '../../../src-main/runs/config-paths';
import { defaultRunName } from '../../../src-main/runs/run-name';
import { defaultConfig, type TrainConfig } from '../../../src-shared/config/train-config';

const config = (o: Partial<TrainConfig>): TrainConfig => ({ ...defaultConfig(), ...o });

describe('stall limit', () => {
  const t = { factor: 20, minMs: 300_000, startupMs: 600_000 };
  it('is N x the median step time, never under the minimum', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([])).toBeNull();
    expect(stallLimitMs([20_000, 30_000, 25_000], true, t)).toBe(500_000);
    expect(stallLimitMs([100, 120], true, t)).toBe(300_000);
  });
  it('allows the start-up time before the first step', () => {
    expect(stallLimitMs([], false, t)).toBe(600_000);
    expect(stallLimitMs([], false, { ...t, startupMs: 1000 })).toBe(300_000);
  });
  it('keeps the start-up time after the first step, until a step time is known', () => {
    expect(stallLimitMs([], true, t)).toBe(600_000);
    expect(stallLimitMs([420_000], true, t)).toBe(8_400_000);
  });
});

describe('config paths', () => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'clipwb-paths-'));
  fs.writeFileSync(path.join(cwd, 'my-model.json'), '{}');
  afterAll(() => fs.rmSync(cwd, { recursive: true, force: true }));

  it('makes paths absolute against the folder the command ran in, leaving names and URLs alone', () => {
    const c = absolutizeConfigPaths(config({
      trainData: './a/{000..009}.tar::builtin:fashion-mnist::https://host/x/{0..1}.tar', vocab: 'vocab', model: 'my-model.json',
      distillModel: 'ViT-B-32', distillPretrained: 'openai', logs: 'logs', datacompPath: '/abs/evals', initCheckpoint: 'runs/x/epoch_1.safetensors',
    }), cwd);
    expect(c.trainData).toBe(`${cwd}/a/{000..009}.tar::builtin:fashion-mnist::https://host/x/{0..1}.tar`);
    expect(c.vocab).toBe(`${cwd}/vocab`);
    expect(c.model).toBe(`${cwd}/my-model.json`);
    expect(c.distillModel).toBe('ViT-B-32');
    expect(c.distillPretrained).toBe('openai');
    expect(c.logs).toBe(`${cwd}/logs`);
    expect(c.datacompPath).toBe('/abs/evals');
    expect(c.initCheckpoint).toBe(`${cwd}/runs/x/epoch_1.safetensors`);
  });
  it('leaves the default model name and empty values alone', () => {
    const c = absolutizeConfigPaths(config({ trainData: null }), cwd);
    expect(c.model).toBe(defaultConfig().model);
    expect(c.trainData).toBeNull();
    expect(c.vocab).toBeNull();
  });
});

describe('default run name', () => {
  it('names the model and the objective', () => {
    expect(defaultRunName(config({ model: 'ViT-B-32' }))).toBe('ViT-B-32-infonce');
    expect(defaultRunName(config({ model: 'ViT-B-16', fastclip: true, multiplyTau: true }))).toBe('ViT-B-16-fastclip-v3');
    expect(defaultRunName(config({ fastclip: true, temperatureScheme: 'individual_learnable', distillMode: 'kl', model: 'm' }))).toBe('m-fastclip-v2-kl');
    expect(defaultRunName(config({ fastclip: true, temperatureScheme: 'global_constant', model: 'm' }))).toBe('m-fastclip-v1');
  });
  it('names a model given as a config file by the file, not its folder', () => {
    expect(defaultRunName(config({ model: '/home/me/configs/tiny-clip.json' }))).toBe('tiny-clip-infonce');
  });
});

describe('the worker entry', () => {
  it('runs the sources with tsx named by absolute URL, so the caller\'s folder does not matter', async () => {
    const { resolveWorkerEntry } = await import('../../../src-main/runs/worker-entry');
    const entry = resolveWorkerEntry();
    expect(path.isAbsolute(entry.file)).toBe(true);
    expect(entry.file.endsWith(path.join('src-worker', 'main.ts'))).toBe(true);
    expect(entry.execArgv[0]).toBe('--import');
    const loader = entry.execArgv[1]!;
    expect(loader.startsWith('file:///')).toBe(true);
    expect(fs.existsSync(new URL(loader))).toBe(true);
    // Plain Node: no Electron switch.
    expect(entry.env).toEqual({});
  });

  it('takes a built bundle from CLIPWB_WORKER_ENTRY without a TypeScript loader', async () => {
    const { resolveWorkerEntry } = await import('../../../src-main/runs/worker-entry');
    const before = process.env.CLIPWB_WORKER_ENTRY;
    process.env.CLIPWB_WORKER_ENTRY = path.join(os.tmpdir(), 'out', 'main', 'worker.js');
    try {
      expect(resolveWorkerEntry()).toEqual({ file: path.join(os.tmpdir(), 'out', 'main', 'worker.js'), execArgv: [], env: {} });
    } finally {
      if (before === undefined) delete process.env.CLIPWB_WORKER_ENTRY;
      else process.env.CLIPWB_WORKER_ENTRY = before;
    }
  });
});
