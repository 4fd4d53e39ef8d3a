/**
 * Builds the objective a run's flags ask for, as the reference paper's `create_loss` does
 * (docs/design/algorithms.md#which-objective-a-run-builds):
 *   no --fastclip                          → CLIP InfoNCE
 *   --fastclip and distillation            → global-temperature FastCLIP (whatever the scheme) + distill term
 *   scheme contains `global`               → v0 / v1 / v3 (v3 = global_learnable + --multiply_tau)
 *   scheme contains `individual`           → v2
 * The option names are those of the training config (src-shared/config/train-config.ts), so a TrainConfig
 * can be passed as it is.
 */
import { LocalCommunicator, type Communicator } from '../dist/communicator';
import { ClipObjective } from './clip-infonce';
import { checkDistillWeight, parseDistillMode } from './distill';
import { DistillingObjective } from './distilling-objective';
import { FastClipGlobalObjective } from './fastclip-global';
import { FastClipIndividualObjective } from './fastclip-individual';
import type { Objective, ObjectiveKind } from './types';
import { WorkbenchError } from '../../src-shared/errors';
import { defaultConfig } from '../../src-shared/config/train-config';

/** The option table's defaults (src-shared/config/options.ts), for options a caller leaves out. */
const DEFAULTS = defaultConfig();

export interface ObjectiveOptions {
  fastclip: boolean;
  /** `--temperature_scheme`, tested by substring as in the reference paper's code. Omitted options take the option table's defaults. */
  temperatureScheme?: string;
  multiplyTau?: boolean;
  rho?: number;
  /** γ_min. */
  gamma?: number;
  gammaSchedule?: string;
  gammaDecayEpochs?: number;
  fastclipEps?: number;
  /** Initial τ of v2's per-sample temperatures. */
  temperature?: number;
  /** `--lr_tau` (-1 means `lr`). v2 uses it as the constant step of its τ update. */
  lrTau?: number;
  lr?: number;
  /** Length of the per-sample state arrays; required with --fastclip. */
  dataSize?: number | null;
  /** Betas and eps of v2's τ update (the AdamW flags). */
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Distillation is on when both are set (and, if these keys are present, a teacher is named). */
  distillMode?: string | null;
  distillWeight?: number | null;
  distillModel?: string | null;
  distillPretrained?: string | null;
  /** s_T, default 100. */
  teacherScale?: number;
}

/** docs/design/algorithms.md#which-objective-a-run-builds: the model's logit scale is frozen when the scheme contains `constant` or `individual` (with or without --fastclip, as in the reference paper's code). */
export function logitScaleTrainable(temperatureScheme: string): boolean {
  return !(temperatureScheme.includes('constant') || temperatureScheme.includes('individual'));
}

export function isDistillingOptions(o: ObjectiveOptions): boolean {
  const teacherNamed = !('distillModel' in o || 'distillPretrained' in o) || Boolean(o.distillModel && o.distillPretrained);
  return teacherNamed && o.distillMode != null && o.distillWeight != null;
}

function globalKind(scheme: string, multiplyTau: boolean): ObjectiveKind {
  if (scheme === 'global_learnable') return multiplyTau ? 'fastclip-v3' : 'fastclip-v0';
  if (scheme === 'global_constant' && !multiplyTau) return 'fastclip-v1';
  return 'fastclip-global';
}

export function createObjective(o: ObjectiveOptions, comm: Communicator = new LocalCommunicator()): Objective {
  const scheme = o.temperatureScheme ?? DEFAULTS.temperatureScheme;
  const multiplyTau = o.multiplyTau ?? DEFAULTS.multiplyTau;
  const trainable = logitScaleTrainable(scheme);
  const distilling = isDistillingOptions(o);
  const inner = o.fastclip ? createFastClip(o, scheme, multiplyTau, trainable, distilling, comm) : new ClipObjective(trainable, comm);
  if (!distilling) return inner;
  const weight = o.distillWeight!;
  checkDistillWeight(weight);
  return new DistillingObjective(inner, parseDistillMode(o.distillMode), weight, comm, o.teacherScale);
}

function createFastClip(o: ObjectiveOptions, scheme: string, multiplyTau: boolean, trainable: boolean, distilling: boolean, comm: Communicator): Objective {
  if (o.dataSize == null) {
    throw new WorkbenchError('data_size: --fastclip needs --data_size, larger than the largest sample key (the length of the per-sample u arrays)', { kind: 'invalid', field: 'data_size' });
  }
  const gamma = { gammaMin: o.gamma ?? DEFAULTS.gamma, schedule: o.gammaSchedule ?? DEFAULTS.gammaSchedule, decayEpochs: o.gammaDecayEpochs ?? DEFAULTS.gammaDecayEpochs };
  const rho = o.rho ?? DEFAULTS.rho;
  const eps = o.fastclipEps ?? DEFAULTS.fastclipEps;
  if (distilling || scheme.includes('global')) {
    return new FastClipGlobalObjective({
      kind: globalKind(scheme, multiplyTau), dataSize: o.dataSize, gamma, rho, eps, multiplyTau, logitScaleTrainable: trainable,
    }, comm);
  }
  if (scheme.includes('individual')) {
    const lrTau = o.lrTau === undefined || o.lrTau === -1 ? o.lr : o.lrTau;
    if (lrTau === undefined) throw new WorkbenchError('lr_tau: the individual temperature scheme needs --lr_tau (or --lr when --lr_tau is -1)', { kind: 'invalid', field: 'lr_tau' });
    return new FastClipIndividualObjective({
      dataSize: o.dataSize, gamma, rho, eps, tauInit: o.temperature ?? DEFAULTS.temperature, lrTau,
      beta1: o.beta1 ?? DEFAULTS.beta1, beta2: o.beta2 ?? DEFAULTS.beta2, epsTau: o.eps ?? DEFAULTS.eps,
    }, comm);
  }
  throw new WorkbenchError(`temperature_scheme: "${scheme}" names neither a global nor an individual scheme; use global_learnable, global_constant or individual_learnable`, { kind: 'invalid', field: 'temperature_scheme' });
}
