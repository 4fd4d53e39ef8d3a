import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src-worker/backend/select';
import { clampLogitScale, clipGradNorm, constCooldownLr, cosineLr, learningRates, LOGIT_SCALE_MAX, stepThreshLr, validateLrSchedule, type LrScheduleConfig } from '../../../src-worker/optim';

beforeAll(async () => {
  await initBackend('wasm');
});

const SEED: LrScheduleConfig = {
  lr: 3.125e-4, lrTau: 7.8125e-5, lrMin: 0, warmup: 500, totalSteps: 46980, lrScheduler: 'cosine', lrTauScheduler: 'step_thresh',
};

describe('learning-rate schedules', () => {
  it('warms up linearly from lr/warmup, then follows the cosine to lr_min', () => {
    expect(cosineLr(0, 1, 4, 12)).toBe(0.25);
    expect(cosineLr(3, 1, 4, 12)).toBe(1);
    expect(cosineLr(4, 1, 4, 12)).toBe(1);
    expect(cosineLr(8, 1, 4, 12)).toBeCloseTo(0.5, 12);
    expect(cosineLr(10, 1, 4, 12, 0.2)).toBeCloseTo(0.2 + 0.5 * (1 + Math.cos(Math.PI * 0.75)) * 0.8, 12);
    // The seed's run: step 499 is the end of warm-up, the last step 46979 is almost lr_min.
    expect(learningRates(499, SEED, 2.6).lr).toBeCloseTo(3.125e-4, 12);
    expect(learningRates(46979, SEED, 2.6).lr).toBeLessThan(1e-12);
  });

  it('const has no warm-up (as the seed passes it) and const-cooldown decays linearly at the end', () => {
    const c: LrScheduleConfig = { ...SEED, lrScheduler: 'const', lrTauScheduler: 'const-cooldown', warmup: 10, totalSteps: 100, cooldown: { cooldownSteps: 20 } };
    expect(learningRates(0, c).lr).toBe(SEED.lr);
    expect(learningRates(5, c).lrTau).toBeCloseTo(SEED.lrTau * 6 / 10, 15);
    expect(learningRates(50, c).lrTau).toBe(SEED.lrTau);
    expect(learningRates(90, c).lrTau).toBeCloseTo(SEED.lrTau * 0.5, 15);
    expect(constCooldownLr(90, 1, 0, 100, { cooldownSteps: 20, power: 2, endLr: 0.1 })).toBeCloseTo(0.25 * 0.9 + 0.1, 12);
  });

  it('step_thresh divides lr_tau by 3 while τ <= 0.03 and switches back when τ rises again', () => {
    const thetaAt = (tau: number) => Math.log(1 / tau);
    expect(learningRates(10_000, SEED, thetaAt(0.05)).lrTau).toBe(SEED.lrTau);
    expect(learningRates(10_001, SEED, thetaAt(0.029)).lrTau).toBeCloseTo(SEED.lrTau / 3, 15);
    expect(learningRates(10_002, SEED, thetaAt(0.031)).lrTau).toBe(SEED.lrTau);
    expect(stepThreshLr(1, thetaAt(0.01))).toBeCloseTo(1 / 3, 15);
    // No warm-up: full lr_tau from step 0.
    expect(learningRates(0, SEED, thetaAt(0.07)).lrTau).toBe(SEED.lrTau);
    expect(() => learningRates(5, SEED)).toThrow(/step_thresh needs the current logit_scale/);
  });

  it('validates the schedule options, naming the flag', () => {
    expect(() => validateLrSchedule({ ...SEED, lrTauScheduler: 'const-cooldown' })).toThrow(/lr_tau_scheduler const-cooldown needs a cooldown length/);
    expect(() => validateLrSchedule({ ...SEED, lrScheduler: 'linear' as LrScheduleConfig['lrScheduler'] })).toThrow(/lr-scheduler: "linear"/);
    expect(() => validateLrSchedule({ ...SEED, warmup: -1 })).toThrow(/warmup/);
    expect(() => validateLrSchedule(SEED)).not.toThrow();
    expect(() => learningRates(-1, SEED, 1)).toThrow(/step/);
  });
});

describe('logit-scale clamp and gradient clipping', () => {
  it('clamps θ to [0, ln 100] after a step', () => {
    const theta = tf.variable(tf.scalar(5.2));
    clampLogitScale(theta);
    expect(theta.dataSync()[0]).toBeCloseTo(LOGIT_SCALE_MAX, 6);
    theta.assign(tf.scalar(-0.3));
    clampLogitScale(theta);
    expect(theta.dataSync()[0]).toBe(0);
    theta.assign(tf.scalar(2.5));
    clampLogitScale(theta);
    expect(theta.dataSync()[0]).toBe(2.5);
    theta.dispose();
  });

  it('clips the global norm like torch (coefficient max_norm/(norm + 1e-6), never above 1)', () => {
    const grads: Record<string, tf.Tensor> = { a: tf.tensor1d([3, 0]), b: tf.tensor2d([[0, 4]]) };
    expect(clipGradNorm(grads, 10)).toBeCloseTo(5, 6);
    expect(Array.from(grads.a!.dataSync())).toEqual([3, 0]);
    expect(clipGradNorm(grads, 1)).toBeCloseTo(5, 6);
    expect(grads.a!.dataSync()[0]).toBeCloseTo(3 / (5 + 1e-6), 6);
    expect(grads.b!.dataSync()[1]).toBeCloseTo(4 / (5 + 1e-6), 6);
    expect(() => clipGradNorm(grads, 0)).toThrow(/grad-clip-norm/);
    tf.dispose(Object.values(grads));
  });
});
