/**
 * Where each training option lives in the wizard. Every option of the table belongs to exactly one
 * step (a unit test holds this against src-shared/config/options.ts), so no flag of a preset or a
 * pasted command is unreachable from the UI.
 */
export type StepId = 'data' | 'model' | 'objective' | 'reference' | 'optim' | 'resources' | 'review';

export interface StepSection {
  title: string;
  keys: readonly string[];
  /** Shown folded: options most runs leave at their default. */
  advanced?: boolean;
}

export interface WizardStep { id: StepId; title: string; sections: readonly StepSection[] }

export const WIZARD_STEPS: readonly WizardStep[] = [
  { id: 'data', title: 'Data', sections: [
    { title: 'Training data', keys: ['trainData', 'trainNumSamples', 'dataSize'] },
    { title: 'Evaluation during training', keys: ['evalTasks', 'evalEvery', 'datacompPath', 'skipPretrainEval'] },
    { title: 'Data details', keys: ['vocab', 'noAugment', 'noShuffle'], advanced: true },
  ] },
  { id: 'model', title: 'Model', sections: [
    { title: 'Architecture and weights', keys: ['model', 'pretrained', 'lockText', 'precision'] },
    { title: 'Model details', keys: ['initCheckpoint', 'gradCheckpointing'], advanced: true },
  ] },
  { id: 'objective', title: 'Objective', sections: [
    // fastclip / temperatureScheme / multiplyTau are set by the variant picker above the fields.
    { title: 'Objective', keys: ['fastclip', 'temperatureScheme', 'multiplyTau'] },
    { title: 'Parameters', keys: ['temperature', 'rho', 'gamma', 'gammaSchedule', 'gammaDecayEpochs'] },
    { title: 'Objective details', keys: ['fastclipEps', 'localLoss'], advanced: true },
  ] },
  { id: 'reference', title: 'Reference model', sections: [
    { title: 'Teacher', keys: ['distillModel', 'distillPretrained', 'distillMode', 'distillWeight', 'initFromDistilled'] },
    { title: 'Temperature', keys: ['lockLogitScale'] },
  ] },
  { id: 'optim', title: 'Optimisation', sections: [
    { title: 'Learning rates', keys: ['lr', 'lrTau', 'lrTauScheduler', 'wd', 'warmup'] },
    { title: 'Budget', keys: ['epochs', 'batchSize', 'maxSteps', 'seed'] },
    { title: 'Optimiser details', keys: ['lrScheduler', 'lrMin', 'beta1', 'beta2', 'eps', 'gradClipNorm'], advanced: true },
  ] },
  { id: 'resources', title: 'Resources', sections: [
    { title: 'Devices', keys: ['devices', 'nproc', 'workers', 'backend'] },
  ] },
  { id: 'review', title: 'Review', sections: [
    { title: 'Run', keys: ['name', 'saveFrequency', 'saveEveryNSteps', 'logEveryNSteps'] },
    { title: 'Run details', keys: ['logs', 'resume', 'reportTo'], advanced: true },
  ] },
];

/** Option keys the wizard draws with its own controls instead of a plain field. */
export const CUSTOM_CONTROLS: ReadonlySet<string> = new Set(['trainData', 'fastclip', 'temperatureScheme', 'multiplyTau', 'distillPretrained', 'devices', 'evalTasks']);

const stepByKey = new Map<string, StepId>();
for (const s of WIZARD_STEPS) for (const sec of s.sections) for (const k of sec.keys) stepByKey.set(k, s.id);

/** The step showing an option; errors that name no option belong to the review step. */
export function stepOfKey(key: string | null | undefined): StepId {
  return (key ? stepByKey.get(key) : undefined) ?? 'review';
}

export function stepIndex(id: StepId): number {
  return WIZARD_STEPS.findIndex((s) => s.id === id);
}
