import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../../../src-shared/config/presets';
import { parseTrainArgs, toCommandLine, validateTrainConfig } from '../../../../src-shared/config/train-config';
import { draftFromPreset, draftFromValues } from '../../../../src-renderer/components/wizard/draft';
import { assembleConfig } from '../../../../src-renderer/components/wizard/assemble';
import { objectiveOf } from '../../../../src-renderer/components/wizard/objective';
import { checkDraft } from '../../../../src-renderer/components/wizard/local-checks';
import { optionInfos, preset, presetInfos } from './options-fixture';

function flags(f: Record<string, string | boolean>) {
  return { fastclip: f.fastclip === true, temperatureScheme: String(f.temperatureScheme), multiplyTau: f.multiplyTau === true };
}

describe('preset application', () => {
  it.each(PRESETS.map((p) => p.name))('%s: the wizard submits exactly the preset (same config, same command)', (name) => {
    const p = PRESETS.find((x) => x.name === name)!;
    const expected = parseTrainArgs(p.args).config;
    const { draft, unknown } = draftFromPreset(optionInfos, preset(name));
    expect(unknown).toEqual([]);
    expect(checkDraft(draft, optionInfos, ['ViT-B-16', 'ViT-B-32', 'clip-tiny-p7-28'])).toEqual({});
    const submitted = validateTrainConfig(assembleConfig(draft, optionInfos)).config;
    expect(submitted).toEqual(expected);
    expect(toCommandLine(submitted)).toBe(toCommandLine(expected));
  });

  it('fills the seed v3 baseline as the seed writes its numbers', () => {
    const { draft } = draftFromPreset(optionInfos, preset('fastclip-v3-seed'));
    expect(objectiveOf(flags(draft.fields))).toBe('v3');
    expect(draft.fields.lr).toBe('3.125e-4');
    expect(draft.fields.lrTau).toBe('7.8125e-5');
    expect(draft.fields.lrTauScheduler).toBe('step_thresh');
    expect(draft.fields.trainData).toBe('./datasets/dfn_data/00000{000..139}.tar');
    expect(draft.fields.evalTasks).toBe('mscoco,imagenet1k');
    expect(draft.fields.nproc).toBe('2');
    expect(draft.useTeacher).toBe(false);
  });

  it('turns the teacher on for the distillation presets', () => {
    const best = draftFromPreset(optionInfos, preset('fd-init-teacher')).draft;
    expect(best.useTeacher).toBe(true);
    expect(best.fields).toMatchObject({ distillModel: 'ViT-B-32', distillPretrained: 'openai', distillMode: 'feature', distillWeight: '0.5', initFromDistilled: true, lockLogitScale: false });
    const second = draftFromPreset(optionInfos, preset('fd-frozen-temp-3x')).draft;
    expect(second.fields).toMatchObject({ lockLogitScale: true, temperature: '0.01', lr: '9.375e-4', wd: '0.6', initFromDistilled: false });
  });

  it('replaces what was typed before instead of merging into it', () => {
    const typed = draftFromPreset(optionInfos, preset('fd-init-teacher')).draft;
    typed.fields.maxSteps = '7';
    const demo = draftFromPreset(optionInfos, preset('demo')).draft;
    expect(demo.fields.maxSteps).toBe('');
    expect(demo.useTeacher).toBe(false);
    expect(assembleConfig(demo, optionInfos)).not.toHaveProperty('distillModel');
  });

  it('accepts presets named by flags and reports names it does not know', () => {
    const { draft, unknown } = draftFromValues(optionInfos, { 'batch-size': 64, lr_tau: 1e-4, '--epochs': 2, bogus: 1 });
    expect(draft.fields.batchSize).toBe('64');
    expect(draft.fields.lrTau).toBe('1e-4');
    expect(draft.fields.epochs).toBe('2');
    expect(unknown).toEqual(['bogus']);
  });

  it('covers every preset the server lists', () => {
    expect(presetInfos.map((p) => p.name)).toEqual(['fastclip-v3-seed', 'fd-init-teacher', 'fd-frozen-temp-3x', 'demo']);
  });
});
