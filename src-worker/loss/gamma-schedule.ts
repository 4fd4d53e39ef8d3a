/**
 * The inner learning rate γ of FastCLIP's u update, set once per epoch (docs/design/algorithms.md#gamma-schedule).
 *
 * γ = 1 in epoch 0 (u is simply the current estimate), then decays to γ_min. Any schedule name other
 * than `cosine` or `constant` (the reference paper's `none` included) jumps to γ_min after epoch 0, as the reference paper's code does.
 */
export interface GammaScheduleOptions {
  /** γ_min, the `--gamma` flag, in (0, 1]. */
  gammaMin: number;
  /** `--gamma_schedule`: `cosine`, `constant`, or anything else (treated like `constant`). */
  schedule: string;
  /** `--gamma_decay_epochs` E. */
  decayEpochs: number;
}

export function gammaForEpoch(epoch: number, o: GammaScheduleOptions): number {
  if (!Number.isInteger(epoch) || epoch < 0) throw new RangeError(`epoch must be a whole number >= 0, got ${epoch}`);
  if (epoch === 0) return 1.0;
  if (epoch >= o.decayEpochs) return o.gammaMin;
  if (o.schedule !== 'cosine') return o.gammaMin;
  return 0.5 * (1 + Math.cos((Math.PI * epoch) / o.decayEpochs)) * (1 - o.gammaMin) + o.gammaMin;
}

export function validateGammaOptions(o: GammaScheduleOptions): void {
  if (!(o.gammaMin > 0 && o.gammaMin <= 1)) {
    throw new RangeError(`gamma: must be in (0, 1], got ${o.gammaMin}. It is the final inner learning rate γ_min (the fastclip-v3-seed preset uses 0.9)`);
  }
  // The reference paper's code asserts a positive decay length unless the schedule is `none`.
  if (o.schedule !== 'none' && !(Number.isInteger(o.decayEpochs) && o.decayEpochs > 0)) {
    throw new RangeError(`gamma_decay_epochs: must be a whole number > 0 with --gamma_schedule ${o.schedule}, got ${o.decayEpochs}`);
  }
}
