/** The training objectives: CLIP InfoNCE, FastCLIP v0-v3, distillation from a reference model. */
export type { Objective, ObjectiveKind, ObjectiveState, ObjectiveStepInput } from './types';
export { createObjective, logitScaleTrainable, isDistillingOptions, type ObjectiveOptions } from './factory';
export { clipLoss, ClipObjective } from './clip-infonce';
export { FastClipGlobalObjective, type FastClipGlobalOptions } from './fastclip-global';
export { FastClipIndividualObjective, type FastClipIndividualOptions } from './fastclip-individual';
export { DistillingObjective } from './distilling-objective';
export {
  distillLoss, combineLosses, checkDistillWeight, parseDistillMode, DISTILL_MODES, TEACHER_LOGIT_SCALE,
  type DistillMode, type DistillInput,
} from './distill';
export { gammaForEpoch, validateGammaOptions, type GammaScheduleOptions } from './gamma-schedule';
export { updateU } from './u-update';
