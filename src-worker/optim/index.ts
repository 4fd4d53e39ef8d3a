/** The optimiser side of training: AdamW, parameter groups, learning-rate schedules, clamps and clipping. */
export { AdamW, type AdamWParamState, type AdamWStateDict, type AdamWStepOptions } from './adamw';
export { adamHyperparameters, seedAdamDefaults, VIT_ADAM, OTHER_ADAM, type AdamHyperparameters } from './adam-hyperparameters';
export {
  buildParamGroups, groupOf, isGainOrBias, isLogitScale,
  type NamedParameter, type ParamGroup, type ParamGroupName, type ParamGroupOptions,
} from './param-groups';
export {
  learningRates, validateLrSchedule, cosineLr, constLr, constCooldownLr, stepThreshLr, warmupLr,
  type LrScheduleConfig, type LrSchedulerName, type CooldownOptions,
} from './schedules';
export { clampLogitScale, LOGIT_SCALE_MAX } from './logit-scale';
export { clipGradNorm, clipCoefficient } from './grad-clip';
