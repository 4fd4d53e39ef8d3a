import { describe, expect, it } from 'vitest';
import { draftFromValues } from '../../../../src-renderer/components/wizard/draft';
import { checkDraft, checkField, checkModelName } from '../../../../src-renderer/components/wizard/local-checks';
import { optionInfos } from './options-fixture';

const opt = (key: string) => optionInfos.find((o) => o.key === key)!;
const MODELS = ['ViT-B-16', 'ViT-B-32', 'clip-tiny-p7-28'];

describe('local checks from the option table', () => {
  it('rejects values out of bounds with the reason', () => {
    expect(checkField(opt('lr'), '-1')).toBe('must be greater than 0, got -1');
    expect(checkField(opt('batchSize'), '0')).toBe('must be at least 1, got 0');
    expect(checkField(opt('distillWeight'), '2')).toBe('must be at most 1, got 2');
    expect(checkField(opt('gamma'), '0')).toBe('must be greater than 0, got 0');
    expect(checkField(opt('workers'), '65')).toBe('must be at most 64, got 65');
  });

  it('rejects text that is not a number, and fractions where a whole number is needed', () => {
    expect(checkField(opt('lr'), 'fast')).toBe('expected a number, got "fast"');
    expect(checkField(opt('epochs'), '1.5')).toBe('expected a whole number, got 1.5');
  });

  it('accepts valid values, including the seed\'s notation', () => {
    expect(checkField(opt('lr'), '3.125e-4')).toBeNull();
    expect(checkField(opt('lrTau'), '-1')).toBeNull();
    expect(checkField(opt('distillWeight'), '0')).toBeNull();
    expect(checkField(opt('fastclip'), true)).toBeNull();
  });

  it('asks for required values and lets optional ones stay empty', () => {
    expect(checkField(opt('epochs'), '')).toBe('required: give a value (default 3)');
    expect(checkField(opt('maxSteps'), '')).toBeNull();
    expect(checkField(opt('distillMode'), '')).toBeNull();
  });

  it('rejects a choice outside the list', () => {
    expect(checkField(opt('lrTauScheduler'), 'linear')).toBe('"linear" is not one of cosine, const, const-cooldown, step_thresh');
  });

  it('knows the bundled model configs and leaves paths to the server', () => {
    expect(checkModelName('ViT-B-17', MODELS)).toMatch(/^unknown model "ViT-B-17": choose one of ViT-B-16, ViT-B-32/);
    expect(checkModelName('ViT-B-16', MODELS)).toBeNull();
    expect(checkModelName('/configs/mine.json', MODELS)).toBeNull();
    expect(checkModelName('anything', [])).toBeNull();
  });

  it('asks for training data, without which a new run can only fail', () => {
    const { draft } = draftFromValues(optionInfos);
    expect(checkDraft(draft, optionInfos, MODELS)).toEqual({ trainData: 'required: choose a dataset above, or give shard paths or a folder' });
    draft.fields.trainData = 'builtin:fashion-mnist';
    expect(checkDraft(draft, optionInfos, MODELS)).toEqual({});
  });

  it('checks the whole draft, skipping the teacher while it is off', () => {
    const { draft } = draftFromValues(optionInfos, { trainData: './shards', lr: -1, batchSize: 0, model: 'nope', distillWeight: 2, distillModel: 'ViT-B-99' });
    draft.useTeacher = false;
    expect(Object.keys(checkDraft(draft, optionInfos, MODELS)).sort()).toEqual(['batchSize', 'lr', 'model']);
    draft.useTeacher = true;
    expect(checkDraft(draft, optionInfos, MODELS)).toMatchObject({ distillWeight: 'must be at most 1, got 2', distillModel: expect.stringMatching(/^unknown model "ViT-B-99"/) });
  });
});
