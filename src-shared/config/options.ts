/**
 * Every training option, in one table: the CLI flags, the run API's config schema, the wizard's field
 * help and the validation all come from here, so they cannot drift apart.
 *
 * Flags keep the reference paper's code's names (open_clip / FastCLIP spelling, dashes and underscores as that code has
 * them) so a user can port a torchrun command; either separator is accepted on the command line.
 * Pure data and pure functions: this module is imported by the worker, the main process and the
 * renderer alike.
 */

export type OptionType = 'int' | 'float' | 'string' | 'bool' | 'enum' | 'list';

export interface OptionSpec {
  /** Flag name without the leading dashes, spelled as the reference paper's code spells it. */
  flag: string;
  /** Key in the config object. */
  key: string;
  type: OptionType;
  group: 'data' | 'model' | 'objective' | 'reference' | 'optim' | 'schedule' | 'run' | 'eval' | 'resources' | 'debug';
  help: string;
  default?: number | string | boolean | string[] | null;
  choices?: readonly string[];
  min?: number;
  max?: number;
  /** Exclusive lower bound (value must be greater). */
  gt?: number;
  /** Accepted for compatibility with the reference paper's commands but has no effect here; says why. */
  ignoredBecause?: string;
}

export const TEMPERATURE_SCHEMES = ['global_learnable', 'global_constant', 'individual_learnable'] as const;
export const GAMMA_SCHEDULES = ['cosine', 'constant', 'none'] as const;
export const LR_TAU_SCHEDULERS = ['cosine', 'const', 'const-cooldown', 'step_thresh'] as const;
export const LR_SCHEDULERS = ['cosine', 'const', 'const-cooldown'] as const;
export const DISTILL_MODES = ['feature', 'cross_entropy', 'kl', 'interactive'] as const;
export const BACKENDS = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export const PRECISIONS = ['fp32', 'amp', 'amp_bf16', 'bf16', 'fp16', 'pure_bf16', 'pure_fp16'] as const;

export const OPTIONS: readonly OptionSpec[] = [
  // data
  { flag: 'train-data', key: 'trainData', type: 'string', group: 'data', default: null,
    help: "Webdataset shards, brace-expanded, several sources joined with '::' (e.g. './dfn_data/00000{000..139}.tar'). 'builtin:fashion-mnist' uses the built-in dataset." },
  { flag: 'train-num-samples', key: 'trainNumSamples', type: 'int', group: 'data', default: null, min: 1,
    help: 'Samples per epoch (sets the epoch length, as in open_clip). Default: the number of samples in the shards when known.' },
  // The bound keeps each per-sample array (4 bytes per entry, at least two of them) allocatable.
  { flag: 'data_size', key: 'dataSize', type: 'int', group: 'data', default: null, min: 1, max: 1_000_000_000,
    help: "Length of FastCLIP's per-sample state arrays; must exceed the largest sample key (at most 1e9). Default: from the dataset when known." },
  { flag: 'workers', key: 'workers', type: 'int', group: 'data', default: 1, min: 0, max: 64,
    help: 'Image decoding threads per worker process (0 = decode on the training thread).' },
  { flag: 'no-augment', key: 'noAugment', type: 'bool', group: 'debug', default: false,
    help: 'Use the evaluation transform (resize + center crop) during training instead of RandomResizedCrop.' },
  { flag: 'no-shuffle', key: 'noShuffle', type: 'bool', group: 'debug', default: false,
    help: 'Read shards and samples in order (for step-by-step comparisons with another implementation).' },
  { flag: 'vocab', key: 'vocab', type: 'string', group: 'data', default: null,
    help: "Tokenizer files: bpe_simple_vocab_16e6.txt.gz, a folder with vocab.json + merges.txt, or one of those files. Default: the built-in dataset's own trained vocabulary; for models with vocab_size 49408 (ViT-B-16, ViT-B-32, ...) the standard CLIP vocabulary shipped in resources/vocab." },

  // model
  { flag: 'model', key: 'model', type: 'string', group: 'model', default: 'clip-tiny-p7-28',
    help: 'Model config name (resources/model_configs, e.g. ViT-B-16, ViT-B-32, clip-tiny-p7-28) or a path to an open_clip JSON config.' },
  { flag: 'pretrained', key: 'pretrained', type: 'string', group: 'model', default: null,
    help: 'Start from these weights (a checkpoint of this engine, an open_clip safetensors file, or a pulled model name). Same as --init-checkpoint.' },
  { flag: 'init-checkpoint', key: 'initCheckpoint', type: 'string', group: 'model', default: null,
    help: 'Start a new run from the weights of this checkpoint (optimiser and FastCLIP state start fresh).' },
  { flag: 'lock-text', key: 'lockText', type: 'bool', group: 'model', default: false,
    help: 'Freeze the text tower. Unlike the reference paper\'s code, this does not freeze the logit scale; add --lock-logit-scale for that.' },
  { flag: 'lock-logit-scale', key: 'lockLogitScale', type: 'bool', group: 'model', default: false,
    help: 'Freeze the logit scale (temperature) at its initial value.' },
  { flag: 'precision', key: 'precision', type: 'enum', group: 'model', default: 'fp32', choices: PRECISIONS,
    help: 'Numeric precision. TensorFlow.js trains in float32; other values are accepted for command compatibility and run in float32 (a warning says so).' },
  { flag: 'grad-checkpointing', key: 'gradCheckpointing', type: 'bool', group: 'model', default: false,
    help: 'Recompute each transformer block in the backward pass instead of keeping its activations: much less memory for about a third more compute. Turned on by itself when a run would not fit otherwise.' },

  // objective
  { flag: 'fastclip', key: 'fastclip', type: 'bool', group: 'objective', default: false,
    help: "Use FastCLIP's global contrastive loss; without it, CLIP's mini-batch InfoNCE." },
  { flag: 'temperature_scheme', key: 'temperatureScheme', type: 'enum', group: 'objective', default: 'global_learnable', choices: TEMPERATURE_SCHEMES,
    help: 'global_learnable (v0, or v3 with --multiply_tau), global_constant (v1), individual_learnable (v2).' },
  { flag: 'multiply_tau', key: 'multiplyTau', type: 'bool', group: 'objective', default: false,
    help: 'RGCL-g surrogate (FastCLIP v3, with global_learnable).' },
  { flag: 'temperature', key: 'temperature', type: 'float', group: 'objective', default: 0.07, gt: 0, max: 1,
    help: 'Initial temperature tau; with --fastclip the initial logit scale is ln(1/tau).' },
  { flag: 'rho', key: 'rho', type: 'float', group: 'objective', default: 8.0, min: 0,
    help: 'Temperature regulariser rho of RGCL (v2, v3).' },
  { flag: 'gamma', key: 'gamma', type: 'float', group: 'objective', default: 0.8, gt: 0, max: 1,
    help: 'Final inner learning rate gamma_min of the u update.' },
  { flag: 'gamma_schedule', key: 'gammaSchedule', type: 'enum', group: 'objective', default: 'cosine', choices: GAMMA_SCHEDULES,
    help: 'Schedule of gamma over epochs: cosine from 1 to gamma_min over --gamma_decay_epochs, or constant.' },
  { flag: 'gamma_decay_epochs', key: 'gammaDecayEpochs', type: 'int', group: 'objective', default: 10, min: 1,
    help: 'Epochs over which gamma decays (cosine schedule).' },
  { flag: 'fastclip_eps', key: 'fastclipEps', type: 'float', group: 'objective', default: 1e-14, min: 0,
    help: 'Epsilon added to u in the denominators.' },
  { flag: 'local-loss', key: 'localLoss', type: 'bool', group: 'objective', default: true,
    help: 'Local rows against gathered columns for InfoNCE and the distillation terms (always on; FastCLIP is always local-vs-global).' },

  // reference model
  { flag: 'distill-model', key: 'distillModel', type: 'string', group: 'reference', default: null,
    help: 'Teacher architecture (e.g. ViT-B-32, clip-tiny-p4-28). Distillation is active only with --distill-pretrained too.' },
  { flag: 'distill-pretrained', key: 'distillPretrained', type: 'string', group: 'reference', default: null,
    help: "Teacher weights: 'openai' (the pulled openai/clip-vit-base-patch32), a pulled Hugging Face repo name, or a checkpoint/safetensors path." },
  { flag: 'distill-mode', key: 'distillMode', type: 'enum', group: 'reference', default: null, choices: DISTILL_MODES,
    help: 'feature (FD), cross_entropy, kl, interactive.' },
  { flag: 'distill-weight', key: 'distillWeight', type: 'float', group: 'reference', default: null, min: 0, max: 1,
    help: 'w in (1 - w) * contrastive + w * distill.' },
  { flag: 'init-from-distilled', key: 'initFromDistilled', type: 'bool', group: 'reference', default: false,
    help: "Copy every teacher tensor whose shape matches the student's before training." },

  // optimisation
  { flag: 'lr', key: 'lr', type: 'float', group: 'optim', default: 5e-4, gt: 0,
    help: 'Peak learning rate of the weights.' },
  { flag: 'lr_tau', key: 'lrTau', type: 'float', group: 'optim', default: -1,
    help: 'Learning rate of the logit scale (global schemes) or of the per-sample temperatures (v2); -1 means the same as --lr.' },
  { flag: 'lr_min', key: 'lrMin', type: 'float', group: 'schedule', default: 0, min: 0,
    help: 'Final learning rate of the cosine schedule.' },
  { flag: 'wd', key: 'wd', type: 'float', group: 'optim', default: 0.2, min: 0,
    help: 'AdamW weight decay (not applied to gains, biases, the class embedding and the logit scale).' },
  { flag: 'beta1', key: 'beta1', type: 'float', group: 'optim', default: 0.9, min: 0, max: 1,
    help: 'AdamW beta1.' },
  { flag: 'beta2', key: 'beta2', type: 'float', group: 'optim', default: 0.98, min: 0, max: 1,
    help: 'AdamW beta2 (0.98 for ViTs, as open_clip).' },
  { flag: 'eps', key: 'eps', type: 'float', group: 'optim', default: 1e-6, gt: 0,
    help: 'AdamW epsilon (1e-6 for ViTs, as open_clip).' },
  { flag: 'grad-clip-norm', key: 'gradClipNorm', type: 'float', group: 'optim', default: null, gt: 0,
    help: 'Clip the global gradient norm to this value (off by default).' },
  { flag: 'batch-size', key: 'batchSize', type: 'int', group: 'optim', default: 128, min: 1,
    help: 'Batch size per worker process; the global batch is this times --nproc.' },
  { flag: 'epochs', key: 'epochs', type: 'int', group: 'schedule', default: 3, min: 1,
    help: 'Number of epochs.' },
  { flag: 'warmup', key: 'warmup', type: 'int', group: 'schedule', default: 100, min: 0,
    help: 'Linear warm-up steps of the learning rate.' },
  { flag: 'lr-scheduler', key: 'lrScheduler', type: 'enum', group: 'schedule', default: 'cosine', choices: LR_SCHEDULERS,
    help: 'Learning-rate schedule after warm-up.' },
  { flag: 'lr_tau_scheduler', key: 'lrTauScheduler', type: 'enum', group: 'schedule', default: 'cosine', choices: LR_TAU_SCHEDULERS,
    help: 'Schedule of the logit-scale learning rate; step_thresh divides it by 3 while tau <= 0.03.' },
  { flag: 'seed', key: 'seed', type: 'int', group: 'run', default: 0, min: 0,
    help: 'Random seed of initialisation, data order and augmentation: the same seed gives the same run.' },

  // run
  { flag: 'name', key: 'name', type: 'string', group: 'run', default: null,
    help: 'Run name (default: date and model).' },
  { flag: 'logs', key: 'logs', type: 'string', group: 'run', default: null,
    help: 'Folder under which the run folder is made (default: the data folder runs/).' },
  { flag: 'save-frequency', key: 'saveFrequency', type: 'int', group: 'run', default: 1, min: 0,
    help: 'Save a checkpoint every N epochs (0 = only at the end).' },
  { flag: 'save-every-n-steps', key: 'saveEveryNSteps', type: 'int', group: 'run', default: 0, min: 0,
    help: 'Also save a checkpoint every N steps (0 = off).' },
  { flag: 'log-every-n-steps', key: 'logEveryNSteps', type: 'int', group: 'run', default: 10, min: 1,
    help: 'Log training metrics every N steps.' },
  { flag: 'resume', key: 'resume', type: 'string', group: 'run', default: null,
    help: "Continue a run from a checkpoint path, or 'latest' for the newest checkpoint of the run named by --name." },
  { flag: 'max-steps', key: 'maxSteps', type: 'int', group: 'debug', default: null, min: 1,
    help: 'Stop after this many steps in total (the schedules still follow --epochs).' },
  { flag: 'report-to', key: 'reportTo', type: 'string', group: 'run', default: null,
    ignoredBecause: 'metrics always go to the workbench store and the JSON-lines log',
    help: 'Accepted for command compatibility; metrics always go to the workbench.' },

  // evaluation
  { flag: 'eval-tasks', key: 'evalTasks', type: 'list', group: 'eval', default: [],
    help: 'Tasks to evaluate after each epoch, e.g. fashion_mnist or imagenet1k,mscoco.' },
  { flag: 'eval-every', key: 'evalEvery', type: 'int', group: 'eval', default: 1, min: 1,
    help: 'Evaluate every N epochs (with --eval-tasks).' },
  { flag: 'datacomp-path', key: 'datacompPath', type: 'string', group: 'eval', default: null,
    help: 'Folder of the evaluation sets (DataComp layout).' },
  { flag: 'skip-pretrain-eval', key: 'skipPretrainEval', type: 'bool', group: 'eval', default: true,
    help: 'Do not evaluate before the first epoch (on by default here; --no-skip-pretrain-eval to evaluate at epoch 0 as the reference paper\'s code does).' },

  // resources
  { flag: 'nproc', key: 'nproc', type: 'int', group: 'resources', default: 1, min: 1, max: 64,
    help: 'Worker processes (one per GPU; on a CPU they share the cores).' },
  { flag: 'devices', key: 'devices', type: 'list', group: 'resources', default: [],
    help: "GPU indices or UUIDs to use (e.g. 0,1); 'cpu' for no GPU. Default: free GPUs, else the CPU." },
  { flag: 'backend', key: 'backend', type: 'enum', group: 'resources', default: 'auto', choices: BACKENDS,
    help: 'Compute backend: auto (tensorflow, then webgpu, then wasm, then cpu), or one of them.' },
];

const byNormalisedFlag = new Map<string, OptionSpec>();
for (const o of OPTIONS) byNormalisedFlag.set(normaliseFlag(o.flag), o);
const byKey = new Map<string, OptionSpec>(OPTIONS.map((o) => [o.key, o]));

/** `--batch_size`, `--batch-size` and `batchSize` all name the same option. */
export function normaliseFlag(flag: string): string {
  return flag.replace(/^-+/, '').replace(/_/g, '-').replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

export function findOption(flagOrKey: string): OptionSpec | undefined {
  return byKey.get(flagOrKey) ?? byNormalisedFlag.get(normaliseFlag(flagOrKey));
}

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

/** The candidate nearest to `word` by edit distance, if it is near enough to be a typo of it. */
export function closestWord(word: string, candidates: readonly string[]): string | undefined {
  let best: { word: string; d: number } | undefined;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (!best || d < best.d) best = { word: c, d };
  }
  return best && best.d <= Math.max(2, Math.floor(word.length / 3)) ? best.word : undefined;
}

/** The closest known flag, for "did you mean" hints. */
export function suggestFlag(flag: string): string | undefined {
  const byNormalised = new Map(OPTIONS.map((o) => [normaliseFlag(o.flag), o.flag]));
  const hit = closestWord(normaliseFlag(flag), [...byNormalised.keys()]);
  return hit === undefined ? undefined : byNormalised.get(hit);
}
