import { describe, expect, it } from 'vitest';
import { createObjective, logitScaleTrainable } from '../../../src-worker/loss';
import { defaultConfig } from '../../../src-shared/config/train-config';

describe('createObjective', () => {
  it('maps the flags to the named versions as the seed does', () => {
    const base = { fastclip: true, dataSize: 100, lr: 1e-3 };
    expect(createObjective({ fastclip: false }).kind).toBe('clip');
    expect(createObjective({ ...base }).kind).toBe('fastclip-v0');
    expect(createObjective({ ...base, temperatureScheme: 'global_constant' }).kind).toBe('fastclip-v1');
    expect(createObjective({ ...base, temperatureScheme: 'individual_learnable' }).kind).toBe('fastclip-v2');
    expect(createObjective({ ...base, multiplyTau: true }).kind).toBe('fastclip-v3');
    expect(createObjective({ ...base, temperatureScheme: 'global_constant', multiplyTau: true }).kind).toBe('fastclip-global');
  });

  it('freezes the logit scale for schemes containing constant or individual (docs/design/algorithms.md#which-objective-a-run-builds), even without --fastclip', () => {
    expect(logitScaleTrainable('global_learnable')).toBe(true);
    expect(logitScaleTrainable('global_constant')).toBe(false);
    expect(logitScaleTrainable('individual_learnable')).toBe(false);
    expect(createObjective({ fastclip: false, temperatureScheme: 'global_constant' }).logitScaleTrainable).toBe(false);
    expect(createObjective({ fastclip: true, dataSize: 4, temperatureScheme: 'individual_learnable', lrTau: 0.01 }).logitScaleTrainable).toBe(false);
  });

  it('explains what is missing or wrong', () => {
    expect(() => createObjective({ fastclip: true })).toThrow(/data_size: --fastclip needs --data_size/);
    expect(() => createObjective({ fastclip: true, dataSize: 0 })).toThrow(/data_size/);
    expect(() => createObjective({ fastclip: true, dataSize: 4, temperatureScheme: 'learnable' })).toThrow(/temperature_scheme: "learnable" names neither/);
    expect(() => createObjective({ fastclip: true, dataSize: 4, temperatureScheme: 'individual_learnable' })).toThrow(/lr_tau/);
    expect(() => createObjective({ fastclip: true, dataSize: 4, gamma: 1.5 })).toThrow(/^gamma: must be in \(0, 1\]/);
    expect(() => createObjective({ fastclip: false, distillMode: 'features', distillWeight: 0.5 })).toThrow(/distill-mode: "features" is not one of/);
    expect(() => createObjective({ fastclip: false, distillMode: 'kl', distillWeight: 2 })).toThrow(/distill-weight/);
  });

  it('v2 takes --lr for its τ step when --lr_tau is -1, and the τ betas from --beta1/--beta2', () => {
    const o = createObjective({ fastclip: true, dataSize: 4, temperatureScheme: 'individual_learnable', lrTau: -1, lr: 3e-4 });
    expect(o.kind).toBe('fastclip-v2');
  });

  it('accepts the training config as it is', () => {
    const c = { ...defaultConfig(), fastclip: true, dataSize: 1000, multiplyTau: true };
    const o = createObjective(c);
    expect(o.kind).toBe('fastclip-v3');
    o.startEpoch(1);
    expect(o.gamma).toBeCloseTo(0.5 * (1 + Math.cos(Math.PI / 10)) * 0.2 + 0.8, 12);
  });
});
