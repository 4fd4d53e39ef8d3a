import { describe, expect, it } from 'vitest';
import { validateTrainConfig } from '../../../../src-shared/config/train-config';
import { draftFromValues, editableNumber, withTeacher, type WizardDraft } from '../../../../src-renderer/components/wizard/draft';
import { assembleConfig, configSignature, parseFieldValue } from '../../../../src-renderer/components/wizard/assemble';
import { optionInfos } from './options-fixture';

const opt = (key: string) => optionInfos.find((o) => o.key === key)!;

function draftWith(fields: Record<string, string | boolean>, useTeacher = false): WizardDraft {
  const { draft } = draftFromValues(optionInfos);
  return { fields: { ...draft.fields, ...fields }, useTeacher };
}

describe('config assembly from the steps', () => {
  it('sends nothing for an untouched wizard: every default stays the server\'s', () => {
    expect(assembleConfig(draftFromValues(optionInfos).draft, optionInfos)).toEqual({});
  });

  it('types each field from the option table and sends only what differs from the defaults', () => {
    const config = assembleConfig(draftWith({
      trainData: ' builtin:fashion-mnist ', epochs: '1', trainNumSamples: '2048', lr: '2e-3', batchSize: '128',
      evalTasks: 'fashion_mnist, mscoco,', fastclip: true, backend: 'wasm', maxSteps: '', wd: '0.2',
    }), optionInfos);
    expect(config).toEqual({
      trainData: 'builtin:fashion-mnist', epochs: 1, trainNumSamples: 2048, lr: 0.002,
      evalTasks: ['fashion_mnist', 'mscoco'], fastclip: true, backend: 'wasm',
    });
    expect(validateTrainConfig(config).config.lr).toBe(0.002);
  });

  it('sends an unparsable number as typed so the server explains it as the CLI would', () => {
    const config = assembleConfig(draftWith({ lr: '1e-' }), optionInfos);
    expect(config.lr).toBe('1e-');
    expect(() => validateTrainConfig(config)).toThrow(/lr: expected a number/);
  });

  it('sends a cleared required number as null, which the server rejects', () => {
    const config = assembleConfig(draftWith({ epochs: '' }), optionInfos);
    expect(config).toEqual({ epochs: null });
    expect(() => validateTrainConfig(config)).toThrow(/epochs: must not be empty/);
  });

  it('keeps the teacher fields while the teacher is off, and sends them only when it is on', () => {
    const fields = { distillModel: 'ViT-B-32', distillPretrained: 'openai', distillMode: 'feature', distillWeight: '0.5', initFromDistilled: true, lockLogitScale: true };
    const off = assembleConfig(draftWith(fields, false), optionInfos);
    expect(off).toEqual({ lockLogitScale: true });
    const on = assembleConfig(draftWith(fields, true), optionInfos);
    expect(on).toEqual({ distillModel: 'ViT-B-32', distillPretrained: 'openai', distillMode: 'feature', distillWeight: 0.5, initFromDistilled: true, lockLogitScale: true });
    expect(validateTrainConfig(on).warnings).toEqual([]);
  });

  it('turns a default-on flag off explicitly', () => {
    expect(assembleConfig(draftWith({ skipPretrainEval: false }), optionInfos)).toEqual({ skipPretrainEval: false });
  });

  it('parses each kind of control value', () => {
    expect(parseFieldValue(opt('noAugment'), true)).toBe(true);
    expect(parseFieldValue(opt('batchSize'), ' 64 ')).toBe(64);
    expect(parseFieldValue(opt('distillMode'), '')).toBeNull();
    expect(parseFieldValue(opt('devices'), '0, 1')).toEqual(['0', '1']);
    expect(parseFieldValue(opt('devices'), '')).toEqual([]);
    expect(parseFieldValue(opt('name'), '  ')).toBeNull();
  });

  it('signs configs independently of key order', () => {
    expect(configSignature({ a: 1, b: [2] })).toBe(configSignature({ b: [2], a: 1 }));
    expect(configSignature({ a: 1 })).not.toBe(configSignature({ a: 2 }));
  });

  it('writes small numbers as the seed does', () => {
    expect(editableNumber(3.125e-4)).toBe('3.125e-4');
    expect(editableNumber(1e-14)).toBe('1e-14');
    expect(editableNumber(0.002)).toBe('0.002');
    expect(editableNumber(1_000_000)).toBe('1000000');
    expect(editableNumber(-1)).toBe('-1');
  });
});

describe('switching the teacher on', () => {
  it('fills the seed\'s teacher where nothing is chosen yet, and keeps what was chosen', () => {
    const on = withTeacher(draftWith({}), true);
    expect(on.useTeacher).toBe(true);
    expect(assembleConfig(on, optionInfos)).toEqual({ distillModel: 'ViT-B-32', distillPretrained: 'openai', distillMode: 'feature', distillWeight: 0.5 });
    const kept = withTeacher(draftWith({ distillMode: 'kl', distillWeight: '0.8' }), true);
    expect(assembleConfig(kept, optionInfos)).toMatchObject({ distillMode: 'kl', distillWeight: 0.8 });
    const off = withTeacher(kept, false);
    expect(off.fields.distillMode).toBe('kl');
    expect(assembleConfig(off, optionInfos)).toEqual({});
  });
});
