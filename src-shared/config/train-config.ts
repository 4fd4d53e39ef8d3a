/**
 * The training configuration: one validated object, built from command-line flags (`clipwb train ...`)
 * or from the run API (the wizard), with the same rules and the same error messages either way.
 */
import {
  OPTIONS, findOption, normaliseFlag, suggestFlag, type OptionSpec,
  BACKENDS, DISTILL_MODES, GAMMA_SCHEDULES, LR_SCHEDULERS, LR_TAU_SCHEDULERS, PRECISIONS, TEMPERATURE_SCHEMES,
} from './options';
import { PRESETS } from './presets';
import { WorkbenchError } from '../errors';

export interface TrainConfig {
  trainData: string | null;
  trainNumSamples: number | null;
  dataSize: number | null;
  workers: number;
  noAugment: boolean;
  noShuffle: boolean;
  vocab: string | null;
  model: string;
  pretrained: string | null;
  initCheckpoint: string | null;
  lockText: boolean;
  lockLogitScale: boolean;
  precision: (typeof PRECISIONS)[number];
  gradCheckpointing: boolean;
  fastclip: boolean;
  temperatureScheme: (typeof TEMPERATURE_SCHEMES)[number];
  multiplyTau: boolean;
  temperature: number;
  rho: number;
  gamma: number;
  gammaSchedule: (typeof GAMMA_SCHEDULES)[number];
  gammaDecayEpochs: number;
  fastclipEps: number;
  localLoss: boolean;
  distillModel: string | null;
  distillPretrained: string | null;
  distillMode: (typeof DISTILL_MODES)[number] | null;
  distillWeight: number | null;
  initFromDistilled: boolean;
  lr: number;
  lrTau: number;
  lrMin: number;
  wd: number;
  beta1: number;
  beta2: number;
  eps: number;
  gradClipNorm: number | null;
  batchSize: number;
  epochs: number;
  warmup: number;
  lrScheduler: (typeof LR_SCHEDULERS)[number];
  lrTauScheduler: (typeof LR_TAU_SCHEDULERS)[number];
  seed: number;
  name: string | null;
  logs: string | null;
  saveFrequency: number;
  saveEveryNSteps: number;
  logEveryNSteps: number;
  resume: string | null;
  maxSteps: number | null;
  reportTo: string | null;
  evalTasks: string[];
  evalEvery: number;
  datacompPath: string | null;
  skipPretrainEval: boolean;
  nproc: number;
  devices: string[];
  /** Follows the option table's choices (webgpu included). */
  backend: (typeof BACKENDS)[number];
}

/**
 * A bad value or combination: names the field and says how to fix it. `field` is what the thrower
 * names (an option key, a flag, or something else such as `config`); when it names an option, the
 * message starts with the flag as the option table writes it (`--data_size`, `--batch-size`), the
 * spelling the user typed on the command line and the one the docs use, never an internal key.
 */
export class ConfigError extends WorkbenchError {
  declare readonly field: string;
  /** The message without the leading flag: what is wrong, then the fix (to re-raise under another field). */
  readonly problem: string;
  constructor(field: string, message: string, fix?: string) {
    const problem = `${message}${fix ? `. ${fix}` : ''}`;
    super(`${flagOf(field)}: ${problem}`, { kind: 'invalid', field, ...(fix ? { fix } : {}) });
    this.problem = problem;
  }
}

/** `dataSize`, `data-size` and `--data_size` all read `--data_size`; names of no option stay as they are. */
export function flagOf(field: string): string {
  const o = findOption(field);
  return o ? `--${o.flag}` : field;
}

export interface ValidatedConfig {
  config: TrainConfig;
  /** Things that run but not as the user may expect (ignored flags, float32 instead of amp...). */
  warnings: string[];
}

export function defaultConfig(): TrainConfig {
  const out: Record<string, unknown> = {};
  for (const o of OPTIONS) out[o.key] = Array.isArray(o.default) ? [...o.default] : (o.default ?? null);
  return out as unknown as TrainConfig;
}

function coerce(o: OptionSpec, raw: unknown, field: string): unknown {
  if (raw === null || raw === undefined) {
    if (o.default === null || o.default === undefined) return null;
    throw new ConfigError(field, 'must not be empty', `Give a value, or leave it out for the default ${JSON.stringify(o.default)}`);
  }
  switch (o.type) {
    case 'bool': {
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      throw new ConfigError(field, `expected true or false, got ${JSON.stringify(raw)}`);
    }
    case 'int':
    case 'float': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      if (!Number.isFinite(n)) throw new ConfigError(field, `expected a number, got ${JSON.stringify(raw)}`);
      if (o.type === 'int' && !Number.isInteger(n)) throw new ConfigError(field, `expected a whole number, got ${n}`);
      if (o.min !== undefined && n < o.min) throw new ConfigError(field, `must be at least ${o.min}, got ${n}`);
      if (o.max !== undefined && n > o.max) throw new ConfigError(field, `must be at most ${o.max}, got ${n}`);
      if (o.gt !== undefined && !(n > o.gt)) throw new ConfigError(field, `must be greater than ${o.gt}, got ${n}`);
      return n;
    }
    case 'enum': {
      const s = String(raw);
      if (!o.choices?.includes(s)) throw new ConfigError(field, `"${s}" is not one of ${o.choices?.join(', ')}`);
      return s;
    }
    case 'list': {
      const items = Array.isArray(raw) ? raw.map(String) : String(raw).split(',');
      return items.map((s) => s.trim()).filter((s) => s.length > 0);
    }
    case 'string': {
      if (typeof raw !== 'string' && typeof raw !== 'number') throw new ConfigError(field, `expected text, got ${JSON.stringify(raw)}`);
      const s = String(raw);
      if (s.length > 4096) throw new ConfigError(field, 'is longer than 4096 characters');
      return s;
    }
  }
}

/** Validates a config object from the run API: unknown keys are rejected, missing keys take defaults. */
export function validateTrainConfig(input: unknown): ValidatedConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ConfigError('config', 'expected an object of training options');
  }
  const cfg = defaultConfig() as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(input as Record<string, unknown>)) {
    const o = findOption(k);
    if (!o) {
      const hint = suggestFlag(k);
      throw new ConfigError(k, 'is not a training option', hint ? `Did you mean "${findOption(hint)?.key}" (--${hint})?` : 'See `clipwb train --help` for the options');
    }
    cfg[o.key] = coerce(o, v, o.key);
  }
  return checkCombinations(cfg as unknown as TrainConfig);
}

/**
 * Parses `clipwb train` arguments. `--preset NAME` expands to the preset's flags first, so flags given
 * after it override it. Boolean flags take no value; `--no-<flag>` turns one off.
 */
export function parseTrainArgs(argv: readonly string[]): ValidatedConfig {
  const expanded: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--preset' || a.startsWith('--preset=')) {
      const name = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      const preset = PRESETS.find((p) => p.name === name);
      if (!preset) throw new ConfigError('preset', `"${name ?? ''}" is not a preset`, `Presets: ${PRESETS.map((p) => p.name).join(', ')}`);
      expanded.push(...preset.args);
    } else expanded.push(a);
  }
  const values: Record<string, unknown> = {};
  for (let i = 0; i < expanded.length; i++) {
    const token = expanded[i]!;
    if (!token.startsWith('--')) {
      throw new ConfigError(token, 'unexpected argument', 'Options are given as --flag value');
    }
    const eq = token.indexOf('=');
    const rawName = eq >= 0 ? token.slice(2, eq) : token.slice(2);
    let o = findOption(rawName);
    let negated = false;
    if (!o && normaliseFlag(rawName).startsWith('no-')) {
      const base = findOption(normaliseFlag(rawName).slice(3));
      if (base?.type === 'bool') { o = base; negated = true; }
    }
    if (!o) {
      const hint = suggestFlag(rawName);
      throw new ConfigError(`--${rawName}`, 'is not a training option', hint ? `Did you mean --${hint}?` : 'See `clipwb train --help`');
    }
    if (o.type === 'bool') {
      values[o.key] = eq >= 0 ? token.slice(eq + 1) : !negated;
      continue;
    }
    const value = eq >= 0 ? token.slice(eq + 1) : expanded[++i];
    if (value === undefined) throw new ConfigError(`--${o.flag}`, 'needs a value', o.help);
    values[o.key] = value;
  }
  return validateTrainConfig(values);
}

function checkCombinations(c: TrainConfig): ValidatedConfig {
  const warnings: string[] = [];
  for (const o of OPTIONS) {
    const v = (c as unknown as Record<string, unknown>)[o.key];
    if (o.ignoredBecause && v !== o.default && v !== null && v !== false) warnings.push(`--${o.flag} has no effect: ${o.ignoredBecause}`);
  }
  if (c.precision !== 'fp32') warnings.push(`--precision ${c.precision}: TensorFlow.js trains in float32 here`);
  if (c.lrTau !== -1 && !(c.lrTau > 0)) throw new ConfigError('lr_tau', `must be positive, or -1 for the same as --lr; got ${c.lrTau}`);
  if (c.pretrained && c.initCheckpoint && c.pretrained !== c.initCheckpoint) {
    throw new ConfigError('pretrained', 'and --init-checkpoint name different weights', 'Give only one of them');
  }
  if (c.pretrained && !c.initCheckpoint) c.initCheckpoint = c.pretrained;
  if (c.resume && c.initCheckpoint) {
    throw new ConfigError('resume', 'cannot be combined with --init-checkpoint/--pretrained', '--resume continues a run with its own weights; start a new run with --init-checkpoint instead');
  }
  const distillParts = [c.distillModel, c.distillPretrained];
  if (distillParts.some((x) => x) && !distillParts.every((x) => x)) {
    throw new ConfigError(c.distillModel ? 'distill-pretrained' : 'distill-model', 'is missing', 'Distillation needs both --distill-model and --distill-pretrained');
  }
  const distilling = Boolean(c.distillModel && c.distillPretrained);
  if (distilling) {
    if (!c.distillMode) throw new ConfigError('distill-mode', 'is required with a teacher', 'Choose feature, cross_entropy, kl or interactive');
    if (c.distillWeight === null) throw new ConfigError('distill-weight', 'is required with a teacher', 'Give w in [0, 1], e.g. 0.5');
  } else {
    if (c.distillMode || c.distillWeight !== null) warnings.push('--distill-mode/--distill-weight have no effect without --distill-model and --distill-pretrained');
    if (c.initFromDistilled) throw new ConfigError('init-from-distilled', 'needs a teacher', 'Add --distill-model and --distill-pretrained');
  }
  if (c.temperatureScheme === 'individual_learnable' && c.multiplyTau) warnings.push('--multiply_tau is ignored by the individual_learnable scheme (as in FastCLIP)');
  if (!c.fastclip && (c.multiplyTau || c.temperatureScheme !== 'global_learnable')) {
    warnings.push('--temperature_scheme/--multiply_tau only apply with --fastclip; training with InfoNCE');
  }
  if (c.trainNumSamples !== null && c.trainNumSamples < c.batchSize * c.nproc) {
    throw new ConfigError('batch-size', `the global batch (${c.batchSize} x ${c.nproc} workers) is larger than an epoch of ${c.trainNumSamples} samples`, 'Lower --batch-size or raise --train-num-samples');
  }
  if (c.devices.length > 0 && !(c.devices.length === 1 && c.devices[0] === 'cpu') && c.devices.length !== c.nproc) {
    throw new ConfigError('devices', `lists ${c.devices.length} GPUs but --nproc is ${c.nproc}`, 'Give one device per worker process, or leave --devices out');
  }
  if (c.maxSteps !== null && c.saveEveryNSteps > c.maxSteps) warnings.push('--save-every-n-steps is larger than --max-steps: no step checkpoint will be written');
  return { config: c, warnings };
}

/** The `clipwb train` command equivalent to a config: only the options that differ from the defaults. */
export function toCommandLine(c: TrainConfig): string {
  const d = defaultConfig() as unknown as Record<string, unknown>;
  const parts = ['clipwb train'];
  for (const o of OPTIONS) {
    const v = (c as unknown as Record<string, unknown>)[o.key];
    if (JSON.stringify(v) === JSON.stringify(d[o.key])) continue;
    if (o.type === 'bool') parts.push(v ? `--${o.flag}` : `--no-${o.flag}`);
    else if (v === null) continue;
    else parts.push(`--${o.flag} ${shellQuote(Array.isArray(v) ? v.join(',') : String(v))}`);
  }
  return parts.join(' \\\n  ');
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** True where the run distils from a reference model. */
export function isDistilling(c: TrainConfig): boolean {
  return Boolean(c.distillModel && c.distillPretrained && c.distillMode && c.distillWeight !== null);
}

/** The learning rate of the logit scale / per-sample temperatures (-1 means --lr). */
export function effectiveLrTau(c: TrainConfig): number {
  return c.lrTau === -1 ? c.lr : c.lrTau;
}
