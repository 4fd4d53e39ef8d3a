/**
 * Field labels. The flag is shown beside each label (researchers know the flags from the reference paper's
 * command); the label says it in words.
 */
const LABELS: Record<string, string> = {
  trainData: 'Training data', trainNumSamples: 'Samples per epoch', dataSize: 'Data size (per-sample state)',
  workers: 'Decoding threads per worker', noAugment: 'No augmentation', noShuffle: 'No shuffling', vocab: 'Tokenizer vocabulary',
  model: 'Model', pretrained: 'Start from weights', initCheckpoint: 'Init checkpoint', lockText: 'Freeze the text tower',
  lockLogitScale: 'Frozen temperature (lock the logit scale)', precision: 'Precision', gradCheckpointing: 'Gradient checkpointing',
  fastclip: 'FastCLIP', temperatureScheme: 'Temperature scheme', multiplyTau: 'Multiply by tau', temperature: 'Temperature (initial tau)',
  rho: 'Rho', gamma: 'Gamma (final inner LR)', gammaSchedule: 'Gamma schedule', gammaDecayEpochs: 'Gamma decay epochs',
  fastclipEps: 'FastCLIP epsilon', localLoss: 'Local loss',
  distillModel: 'Teacher model', distillPretrained: 'Teacher weights', distillMode: 'Distillation mode', distillWeight: 'Distillation weight w',
  initFromDistilled: 'Initialise from the teacher',
  lr: 'Learning rate', lrTau: 'Temperature learning rate (lr_tau)', lrMin: 'Final learning rate', wd: 'Weight decay',
  beta1: 'AdamW beta1', beta2: 'AdamW beta2', eps: 'AdamW epsilon', gradClipNorm: 'Gradient clipping norm',
  batchSize: 'Batch size per worker', epochs: 'Epochs', warmup: 'Warm-up steps', lrScheduler: 'LR schedule',
  lrTauScheduler: 'lr_tau schedule', seed: 'Seed', maxSteps: 'Max steps',
  name: 'Run name', logs: 'Runs folder', saveFrequency: 'Checkpoint every N epochs', saveEveryNSteps: 'Checkpoint every N steps',
  logEveryNSteps: 'Log every N steps', resume: 'Resume from', reportTo: 'Report to',
  evalTasks: 'Evaluation tasks', evalEvery: 'Evaluate every N epochs', datacompPath: 'Evaluation sets folder', skipPretrainEval: 'Skip the evaluation before training',
  nproc: 'Worker processes', devices: 'GPUs', backend: 'Backend',
};

export function labelOf(key: string, flag: string): string {
  if (LABELS[key]) return LABELS[key];
  const words = flag.replace(/[-_]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Element ids, shared by the fields and the error list that links to them. */
export const fieldId = (key: string): string => `opt-${key}`;
export const errorId = (key: string): string => `opt-${key}-error`;
