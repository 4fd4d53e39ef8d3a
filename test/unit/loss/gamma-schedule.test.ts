import { describe, expect, it } from 'vitest';
import { gammaForEpoch, validateGammaOptions } from '../../../src-worker/loss';

describe('γ schedule (docs/design/algorithms.md#gamma-schedule)', () => {
  const seed = { gammaMin: 0.9, schedule: 'cosine', decayEpochs: 30 };

  it('reproduces the seed run (γ_min 0.9, E 30, cosine)', () => {
    const expected: [number, number][] = [[0, 1.0], [1, 0.99973], [2, 0.99891], [10, 0.975], [15, 0.95], [20, 0.925], [29, 0.90027]];
    for (const [epoch, gamma] of expected) expect(gammaForEpoch(epoch, seed), `epoch ${epoch}`).toBeCloseTo(gamma, 5);
    expect(gammaForEpoch(30, seed)).toBe(0.9);
    expect(gammaForEpoch(45, seed)).toBe(0.9);
  });

  it('constant, none and unknown names jump to γ_min after epoch 0', () => {
    for (const schedule of ['constant', 'none', 'linear']) {
      expect(gammaForEpoch(0, { ...seed, schedule })).toBe(1);
      expect(gammaForEpoch(1, { ...seed, schedule })).toBe(0.9);
      expect(gammaForEpoch(12, { ...seed, schedule })).toBe(0.9);
    }
  });

  it('validates its options with the flag named', () => {
    expect(() => validateGammaOptions({ ...seed, gammaMin: 0 })).toThrow(/^gamma: must be in \(0, 1\]/);
    expect(() => validateGammaOptions({ ...seed, decayEpochs: 0 })).toThrow(/gamma_decay_epochs/);
    expect(() => validateGammaOptions({ ...seed, schedule: 'none', decayEpochs: -1 })).not.toThrow();
    expect(() => gammaForEpoch(-1, seed)).toThrow(/epoch/);
  });
});
