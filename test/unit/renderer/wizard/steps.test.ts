import { describe, expect, it } from 'vitest';
import { OPTIONS } from '../../../../src-shared/config/options';
import { WIZARD_STEPS, stepIndex, stepOfKey } from '../../../../src-renderer/components/wizard/steps';
import { OBJECTIVES, objectiveFlags, objectiveOf, objectiveUses } from '../../../../src-renderer/components/wizard/objective';

describe('wizard steps', () => {
  it('place every training option in exactly one step', () => {
    const placed = WIZARD_STEPS.flatMap((s) => s.sections.flatMap((sec) => sec.keys));
    expect([...placed].sort()).toEqual(OPTIONS.map((o) => o.key).sort());
    expect(new Set(placed).size).toBe(placed.length);
  });

  it('run in the order of the issue', () => {
    expect(WIZARD_STEPS.map((s) => s.id)).toEqual(['data', 'model', 'objective', 'reference', 'optim', 'resources', 'review']);
    expect(stepIndex('review')).toBe(6);
  });

  it('send errors about options to their step and the rest to the review', () => {
    expect(stepOfKey('distillWeight')).toBe('reference');
    expect(stepOfKey('lockLogitScale')).toBe('reference');
    expect(stepOfKey('batchSize')).toBe('optim');
    expect(stepOfKey('devices')).toBe('resources');
    expect(stepOfKey(null)).toBe('review');
    expect(stepOfKey('bogus')).toBe('review');
  });
});

describe('objective variants', () => {
  it('map to the FastCLIP flags and back', () => {
    for (const v of OBJECTIVES) expect(objectiveOf(objectiveFlags(v.id))).toBe(v.id);
    expect(objectiveFlags('v3')).toEqual({ fastclip: true, temperatureScheme: 'global_learnable', multiplyTau: true });
    expect(objectiveFlags('v1')).toEqual({ fastclip: true, temperatureScheme: 'global_constant', multiplyTau: false });
    expect(objectiveFlags('v2').temperatureScheme).toBe('individual_learnable');
    expect(objectiveFlags('infonce').fastclip).toBe(false);
  });

  it('name flag sets no variant produces by their scheme', () => {
    expect(objectiveOf({ fastclip: true, temperatureScheme: 'individual_learnable', multiplyTau: true })).toBe('v2');
    expect(objectiveOf({ fastclip: false, temperatureScheme: 'global_constant', multiplyTau: true })).toBe('infonce');
  });

  it('show rho only for the RGCL variants and no FastCLIP parameter for InfoNCE', () => {
    expect(['infonce', 'v0', 'v1', 'v2', 'v3'].map((v) => objectiveUses(v as 'v0', 'rho'))).toEqual([false, false, false, true, true]);
    expect(objectiveUses('infonce', 'gamma')).toBe(false);
    expect(objectiveUses('v1', 'temperature')).toBe(true);
  });
});
