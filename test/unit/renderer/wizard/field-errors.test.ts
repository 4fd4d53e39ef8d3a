import { describe, expect, it } from 'vitest';
import { ConfigError, parseTrainArgs, validateTrainConfig } from '../../../../src-shared/config/train-config';
import { indexOptions } from '../../../../src-renderer/components/wizard/option-lookup';
import { errorsPerStep, mapFieldErrors, withoutFieldPrefix } from '../../../../src-renderer/components/wizard/field-errors';
import { optionInfos } from './options-fixture';

const index = indexOptions(optionInfos);

function configError(f: () => unknown): ConfigError {
  try { f(); } catch (err) { if (err instanceof ConfigError) return err; throw err; }
  throw new Error('expected a ConfigError');
}

describe('field-error mapping', () => {
  it('finds an option by key, flag, dashed flag, underscore spelling and zod path', () => {
    expect(index.find('batchSize')?.key).toBe('batchSize');
    expect(index.find('batch-size')?.key).toBe('batchSize');
    expect(index.find('--batch_size')?.key).toBe('batchSize');
    expect(index.find('lr_tau')?.key).toBe('lrTau');
    expect(index.find('config.distillWeight')?.key).toBe('distillWeight');
    expect(index.find('no-augment')?.key).toBe('noAugment');
    expect(index.find('config')).toBeUndefined();
  });

  it('puts every error the real config validation raises next to a field of the wizard', () => {
    const cases: (() => unknown)[] = [
      () => validateTrainConfig({ lr: -1 }),
      () => validateTrainConfig({ batchSize: 0 }),
      () => validateTrainConfig({ distillWeight: 2 }),
      () => validateTrainConfig({ lrTau: -0.5 }),
      () => validateTrainConfig({ distillModel: 'ViT-B-32' }),
      () => validateTrainConfig({ distillModel: 'ViT-B-32', distillPretrained: 'openai' }),
      () => validateTrainConfig({ distillModel: 'ViT-B-32', distillPretrained: 'openai', distillMode: 'feature' }),
      () => validateTrainConfig({ initFromDistilled: true }),
      () => validateTrainConfig({ trainNumSamples: 10, batchSize: 128 }),
      () => validateTrainConfig({ devices: ['0'], nproc: 2 }),
      () => validateTrainConfig({ pretrained: 'a', initCheckpoint: 'b' }),
      () => validateTrainConfig({ resume: 'latest', initCheckpoint: 'b' }),
      () => parseTrainArgs(['--lr_tau_scheduler', 'linear']),
    ];
    const expected = ['lr', 'batchSize', 'distillWeight', 'lrTau', 'distillPretrained', 'distillMode', 'distillWeight', 'initFromDistilled', 'batchSize', 'devices', 'pretrained', 'resume', 'lrTauScheduler'];
    const errors = cases.map((f) => configError(f));
    const mapped = errors.map((e) => index.find(e.field)?.key);
    expect(mapped).toEqual(expected);
  });

  it('keeps errors that name no option for the top of the wizard', () => {
    const e = configError(() => validateTrainConfig({ learningRate: 1 }));
    const m = mapFieldErrors([{ field: e.field, message: e.message }, { field: 'config', message: 'expected an object' }], index);
    expect(m.byKey).toEqual({});
    expect(m.general).toEqual([e.message, 'config: expected an object']);
  });

  it('drops the field name the message repeats, and keeps the first error of a field', () => {
    const m = mapFieldErrors([
      { field: 'lr_tau', message: 'lr_tau: must be positive, or -1 for the same as --lr; got -0.5' },
      { field: 'lrTau', message: 'a later error' },
      { field: 'config.lr', message: 'lr: must be greater than 0, got -1' },
    ], index);
    expect(m.byKey).toEqual({ lrTau: 'must be positive, or -1 for the same as --lr; got -0.5', lr: 'must be greater than 0, got -1' });
    expect(withoutFieldPrefix('--lr: bad', '--lr')).toBe('bad');
    expect(withoutFieldPrefix('nothing to drop', 'lr')).toBe('nothing to drop');
  });

  it('counts errors per step for the step list', () => {
    expect(errorsPerStep(['lr', 'batchSize', 'model', 'distillWeight', 'devices', 'trainData'], 1)).toEqual({ data: 1, model: 1, objective: 0, reference: 1, optim: 2, resources: 1, review: 1 });
  });
});
