/**
 * The run pre-flight: the one place where a training config, from `clipwb train` flags or from the run
 * API (the wizard), is parsed and checked before a run exists. It checks everything that can be known
 * without a compute backend: the option table's rules, then the files and names the config points at
 * (shards, model configs, vocabulary, weights, evaluation tasks, devices, the built-in dataset's size).
 * What it returns is the config that is stored, sent to the worker and shown; the worker re-checks only
 * what needs the backend or the files' contents (memory, shard keys, tensor shapes).
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, parseTrainArgs, toCommandLine, validateTrainConfig, isDistilling, type TrainConfig } from '../../src-shared/config/train-config';
import { loadModelConfig, type ClipConfig } from '../../src-worker/model/config';
import { resolveExistingShards } from '../../src-worker/data/shards/resolve';
import { BUILTIN_DATASETS, BUILTIN_PREFIX, BUILTIN_TRAIN_COUNTS, builtinName, isBuiltin } from '../../src-worker/data/builtin';
import { assertTeacherFitsStudent } from '../../src-worker/teacher/pairing';
import { notPulledError, OPENAI_REPO } from '../../src-worker/teacher/errors';
import { noDefaultVocabularyError, STANDARD_VOCAB_SIZE } from '../../src-worker/text/standard-vocab';
import { absolutizeConfigPaths } from './config-paths';
import { checkEvalTasks } from './eval-jobs';
import { loadTaskList, resolveTasks, taskDataDir } from '../../src-worker/eval/task-list';
import { checkTrainDataPath, isRemoteSource, notATarShard, TRAIN_DATA_FORMS } from './train-data-check';

const CHECKED: unique symbol = Symbol('clipwb.preflight');

/** A config that went through the pre-flight: only `preflight` makes one. */
export interface CheckedConfig {
  readonly config: TrainConfig;
  /** Things that run but not as the user may expect; recorded once, on the run, when it is created. */
  readonly warnings: string[];
  /** The equivalent `clipwb train` command. */
  readonly command: string;
  readonly [CHECKED]: true;
}

export function isCheckedConfig(x: unknown): x is CheckedConfig {
  return typeof x === 'object' && x !== null && (x as { [CHECKED]?: unknown })[CHECKED] === true;
}

export interface PreflightContext {
  /** The data folder: pulled models live under models/<org>/<name>. */
  dataDir: string;
  /** Relative paths start here (default: the current directory). */
  cwd?: string;
  /** Why the devices the config names cannot be used on this machine, or null (the scheduler's rules). */
  deviceProblem?: (config: TrainConfig) => string | null;
}

export function preflight(input: Record<string, unknown> | string[], ctx: PreflightContext): CheckedConfig {
  const v = Array.isArray(input) ? parseTrainArgs(input) : validateTrainConfig(input);
  const config = absolutizeConfigPaths(v.config, ctx.cwd);
  // --resume continues a stored run with its stored (checked) config: the other flags create nothing, so
  // there is nothing here to check them for (createRun refuses a config with --resume).
  if (config.resume) return { config, warnings: v.warnings, command: toCommandLine(config), [CHECKED]: true };
  const samples = checkTrainData(config);
  checkDataSize(config, samples);
  const student = loadConfigOf('model', config.model);
  checkVocab(config, student);
  checkWeights(config, ctx.dataDir);
  if (isDistilling(config)) {
    const teacher = loadConfigOf('distill-model', config.distillModel!);
    assertTeacherFitsStudent(teacher, student);
  }
  // Known before the first step, so not found only at the first evaluation, an epoch later.
  if (config.evalTasks.length > 0) {
    try {
      checkEvalTasks(config.evalTasks);
    } catch (err) {
      throw new ConfigError('eval-tasks', err instanceof ConfigError ? err.problem : (err as Error).message);
    }
  }
  if (config.datacompPath && !fs.existsSync(config.datacompPath)) {
    throw new ConfigError('datacomp-path', `${config.datacompPath} does not exist`, 'Give the folder holding the evaluation sets (clipwb data download evalsets --tasks ... fetches them), or leave --datacomp-path out');
  }
  checkEvalData(config);
  const devices = ctx.deviceProblem?.(config) ?? null;
  if (devices) throw new ConfigError('devices', devices.replace(/^devices: /, ''), 'Give GPU indices of this machine (clipwb doctor lists them), cpu, or leave --devices out');
  return { config, warnings: v.warnings, command: toCommandLine(config), [CHECKED]: true };
}

/**
 * The training data exists and is what the trainer reads. Returns the number of training samples when
 * it is known now (a built-in dataset), else null.
 */
function checkTrainData(c: TrainConfig): number | null {
  if (!c.trainData) throw new ConfigError('train-data', 'is required', `Give ${TRAIN_DATA_FORMS}`);
  if (isBuiltin(c.trainData)) {
    const name = builtinName(c.trainData);
    if (!name) {
      throw new ConfigError('train-data', `"${c.trainData}" is not a built-in dataset`, `Built-in datasets: ${BUILTIN_DATASETS.map((d) => BUILTIN_PREFIX + d).join(', ')}`);
    }
    return BUILTIN_TRAIN_COUNTS[name];
  }
  const problem = checkTrainDataPath(c.trainData);
  if (problem) throw new ConfigError('train-data', problem);
  const local = c.trainData.split('::').map((s) => s.trim()).filter((s) => s !== '' && !isRemoteSource(s));
  if (local.length === 0) return null;
  const resolved = resolveExistingShards(local);
  // A folder source expands to its .tar files; the first of them is read too.
  const first = resolved.shards[0];
  const notTar = first ? notATarShard(first) : null;
  if (notTar) throw new ConfigError('train-data', notTar);
  return null;
}

/**
 * --data_size sizes FastCLIP's per-sample state (one entry per sample key), and the loader skips every
 * sample whose key is not below it, with or without --fastclip. A value below the dataset's sample count
 * would quietly train on a fraction of the data. For shards the keys are known only once they are read:
 * the worker checks the first shard's keys before the first step (shard-check.ts).
 */
function checkDataSize(c: TrainConfig, samples: number | null): void {
  if (samples !== null) {
    if (c.dataSize !== null && c.dataSize < samples) {
      throw new ConfigError('data_size', `is ${c.dataSize}, but ${c.trainData} holds ${samples} samples (keys 0 to ${samples - 1}): ` +
        `every sample with a key of ${c.dataSize} or more would be skipped`,
      `Leave --data_size out for ${c.trainData} (it uses ${samples}), or give at least ${samples}; to train on fewer samples per epoch use --train-num-samples`);
    }
    const epoch = c.trainNumSamples ?? samples;
    if (epoch < c.batchSize * c.nproc) {
      throw new ConfigError('batch-size', `the global batch (${c.batchSize} x ${c.nproc} workers) is larger than an epoch of ${epoch} samples`, 'Lower --batch-size or raise --train-num-samples');
    }
    return;
  }
  if (c.fastclip && c.dataSize === null) {
    throw new ConfigError('data_size', 'is required with --fastclip for this dataset', 'Give a value larger than the largest sample key (the fastclip-v3-seed preset uses 1400000 for the DFN 1M subset); `clipwb data scan DIR --count` counts the samples of a folder of shards');
  }
  if (c.trainNumSamples === null) throw new ConfigError('train-num-samples', 'is required for this dataset (shards do not say how many samples they hold)', 'Give the number of samples per epoch; `clipwb data scan DIR --count` counts them for a folder of shards');
}

function loadConfigOf(field: 'model' | 'distill-model', name: string): ClipConfig {
  try {
    return loadModelConfig(name);
  } catch (err) {
    throw new ConfigError(field, err instanceof ConfigError ? err.problem : (err as Error).message);
  }
}

/** --vocab exists, or there is a default for this model (the built-in dataset's, or the standard one). */
function checkVocab(c: TrainConfig, student: ClipConfig): void {
  if (c.vocab) {
    if (!fs.existsSync(c.vocab)) {
      throw new ConfigError('vocab', `${c.vocab}: no such file or folder`, 'Give --vocab a CLIP merges file (*.txt.gz) or a folder holding vocab.json + merges.txt');
    }
    return;
  }
  if (!isBuiltin(c.trainData) && student.text.vocabSize !== STANDARD_VOCAB_SIZE) throw noDefaultVocabularyError(student);
}

const REPO_ID = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

/**
 * Weights named by --init-checkpoint/--pretrained and --distill-pretrained exist: a path, 'openai' or a
 * pulled model (org/name). Whether they fit the model is known only once they are read (the worker).
 */
function checkWeights(c: TrainConfig, dataDir: string): void {
  const named: [string, string | null][] = [[c.pretrained ? 'pretrained' : 'init-checkpoint', c.initCheckpoint], ['distill-pretrained', c.distillPretrained]];
  for (const [field, value] of named) {
    if (!value || fs.existsSync(value)) continue;
    const repo = value === 'openai' ? OPENAI_REPO : REPO_ID.test(value) && !/\.(json|safetensors|pt|pth|bin|ckpt)$/i.test(value) ? value : null;
    if (repo) {
      const dir = path.join(dataDir, 'models', ...repo.split('/'));
      if (fs.existsSync(dir)) continue;
      throw new ConfigError(field, notPulledError(repo, dir, value).problem);
    }
    throw new ConfigError(field, `${value}: no such file or folder`, "Give 'openai', a pulled model (org/name), a folder, a checkpoint (.json), a .safetensors or a PyTorch .pt file");
  }
}

/**
 * Evaluation during training reads its sets from --datacomp-path (built-in tasks from the built-in
 * dataset): a task whose data is not there would be skipped at every evaluation, an epoch in. Refused
 * here instead, with what to download.
 */
function checkEvalData(config: TrainConfig): void {
  if (config.evalTasks.length === 0) return;
  const root = config.datacompPath;
  const missing = resolveTasks(loadTaskList(), config.evalTasks).filter((t) => {
    if (t.source.kind === 'builtin') return false;
    const dir = root ? taskDataDir(root, t) : null;
    return !dir || !fs.existsSync(dir);
  });
  if (missing.length === 0) return;
  const keys = missing.map((t) => t.key).join(',');
  throw new ConfigError(
    'eval-tasks',
    `no data for ${missing.map((t) => t.key).join(', ')} ${root ? `under ${root}` : '(no --datacomp-path given)'}`,
    `Download ${missing.length > 1 ? 'them' : 'it'} (clipwb data download evalsets --tasks ${keys}) and give the folder with --datacomp-path, or leave ${missing.length > 1 ? 'them' : 'it'} out of --eval-tasks`,
  );
}
