/**
 * Learning-rate schedules, pure functions of the step (docs/design/algorithms.md#learning-rate-schedules; the reference paper's scheduler.py).
 * `step` is the global step, epoch·batches_per_epoch + i, set before each forward pass.
 *   warmup:          lr·(step + 1)/warmup while step < warmup
 *   cosine:          lr_min + ½(1 + cos(π·(step − warmup)/(total − warmup)))·(lr − lr_min)
 *   const:           lr (the reference paper's code passes warmup 0 for const)
 *   const-cooldown:  lr until total − cooldown, then (1 − e/es)^power·(lr − end) + end
 *   step_thresh:     lr while τ = exp(−θ) > 0.03, else lr/3, read from the live θ each step (warmup 0)
 */
export type LrSchedulerName = 'cosine' | 'const' | 'const-cooldown' | 'step_thresh';

export const warmupLr = (baseLr: number, warmup: number, step: number): number => (baseLr * (step + 1)) / warmup;

export function cosineLr(step: number, baseLr: number, warmup: number, totalSteps: number, lrMin = 0): number {
  if (step < warmup) return warmupLr(baseLr, warmup, step);
  const e = step - warmup;
  const es = totalSteps - warmup;
  return lrMin + 0.5 * (1 + Math.cos((Math.PI * e) / es)) * (baseLr - lrMin);
}

export function constLr(step: number, baseLr: number, warmup = 0): number {
  return step < warmup ? warmupLr(baseLr, warmup, step) : baseLr;
}

export interface CooldownOptions {
  cooldownSteps: number;
  /** 1 = linear decay. */
  power?: number;
  endLr?: number;
}

export function constCooldownLr(step: number, baseLr: number, warmup: number, totalSteps: number, c: CooldownOptions): number {
  if (step < warmup) return warmupLr(baseLr, warmup, step);
  const start = totalSteps - c.cooldownSteps;
  if (step < start) return baseLr;
  const end = c.endLr ?? 0;
  const decay = (1 - (step - start) / (totalSteps - start)) ** (c.power ?? 1);
  return decay * (baseLr - end) + end;
}

/** The reference paper's thresholds [0.03] and ratios [1/3]: each threshold passed (τ <= thresh) applies its ratio. */
export function stepThreshLr(baseLr: number, theta: number, thresholds: readonly number[] = [0.03], ratios: readonly number[] = [1 / 3]): number {
  const tau = 1 / Math.exp(theta);
  let lr = baseLr;
  for (let k = 0; k < thresholds.length; k++) {
    if (tau <= thresholds[k]!) lr = baseLr * ratios[k]!;
    else break;
  }
  return lr;
}

export interface LrScheduleConfig {
  lr: number;
  /** Already resolved (not -1). */
  lrTau: number;
  lrMin: number;
  warmup: number;
  totalSteps: number;
  lrScheduler: LrSchedulerName;
  lrTauScheduler: LrSchedulerName;
  /** Needed by const-cooldown. */
  cooldown?: CooldownOptions;
}

export function validateLrSchedule(c: LrScheduleConfig): void {
  if (!(c.lr > 0)) throw new RangeError(`lr: must be > 0, got ${c.lr}`);
  if (!(c.lrTau > 0)) throw new RangeError(`lr_tau: must be > 0 once resolved, got ${c.lrTau}`);
  if (!(c.lrMin >= 0)) throw new RangeError(`lr_min: must be >= 0, got ${c.lrMin}`);
  if (!Number.isInteger(c.warmup) || c.warmup < 0) throw new RangeError(`warmup: must be a whole number >= 0, got ${c.warmup}`);
  if (!Number.isInteger(c.totalSteps) || c.totalSteps < 1) throw new RangeError(`total steps must be a whole number >= 1, got ${c.totalSteps}`);
  for (const [flag, name] of [['lr-scheduler', c.lrScheduler], ['lr_tau_scheduler', c.lrTauScheduler]] as const) {
    if (!['cosine', 'const', 'const-cooldown', 'step_thresh'].includes(name)) {
      throw new RangeError(`${flag}: "${name}" is not one of cosine, const, const-cooldown, step_thresh`);
    }
    if (name === 'const-cooldown') {
      const cd = c.cooldown?.cooldownSteps;
      if (cd === undefined || !Number.isInteger(cd) || cd < 1 || cd > c.totalSteps) {
        throw new RangeError(`${flag} const-cooldown needs a cooldown length between 1 and ${c.totalSteps} steps (--epochs-cooldown in the reference paper's code)`);
      }
    }
  }
}

function scheduled(name: LrSchedulerName, step: number, baseLr: number, c: LrScheduleConfig, theta: number | undefined): number {
  switch (name) {
    case 'cosine': return cosineLr(step, baseLr, c.warmup, c.totalSteps, c.lrMin);
    // The reference paper's code passes warmup 0 to const and step_thresh.
    case 'const': return constLr(step, baseLr, 0);
    case 'const-cooldown': return constCooldownLr(step, baseLr, c.warmup, c.totalSteps, c.cooldown ?? { cooldownSteps: 1 });
    case 'step_thresh':
      if (theta === undefined || !Number.isFinite(theta)) throw new Error('step_thresh needs the current logit_scale θ at every step');
      return stepThreshLr(baseLr, theta);
  }
}

/** lr for the gain_or_bias and rest groups, lrTau for the logit-scale group, at this step (θ: the live logit scale). */
export function learningRates(step: number, c: LrScheduleConfig, theta?: number): { lr: number; lrTau: number } {
  if (!Number.isInteger(step) || step < 0) throw new RangeError(`step must be a whole number >= 0, got ${step}`);
  return {
    lr: scheduled(c.lrScheduler, step, c.lr, c, theta),
    lrTau: scheduled(c.lrTauScheduler, step, c.lrTau, c, theta),
  };
}
