/**
 * Everything a run builds before its first step: data, tokenizer, model (fresh, from given weights, or
 * resumed), objective and optimiser. Each check fails before training starts, with the field and the fix.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ClipModel, loadModelConfig, isTextTowerParam, setActivationCheckpointing, type ClipConfig } from '../model';
import { clipParamSpecs, countParams } from '../model/param-spec';
import * as tf from '@tensorflow/tfjs';
import { ClipTokenizer, STANDARD_VOCAB_SIZE, VocabularyError, assertVocabularyFitsModel, noDefaultVocabularyError, standardVocabularyPath } from '../text';
import { createTrainLoader, resolveExistingShards, type TrainLoader } from '../data';
import { createObjective, type Objective } from '../loss';
import { AdamW, buildParamGroups, adamHyperparameters } from '../optim';
import type { Communicator } from '../dist/communicator';
import { ConfigError, effectiveLrTau, isDistilling, type TrainConfig } from '../../src-shared/config/train-config';
import { estimateRunMemory, gb, planRunMemory, type FitDecision } from './memory';
import { isBuiltin, prepareBuiltin, type BuiltinDataset } from '../data/builtin';
import { loadEvalModel } from '../eval/load-model';
import { loadCheckpoint, type CheckpointSidecar, type DataPosition } from '../io/checkpoint';
import type { TrainerHooks } from '../hooks';
import { checkTrainShards } from './shard-check';
import { waitForMainRank } from './rank-sync';

export interface TrainSetup {
  cfg: ClipConfig;
  model: ClipModel;
  tokenizer: ClipTokenizer;
  loader: TrainLoader;
  objective: Objective;
  optimizer: AdamW;
  builtin: BuiltinDataset | null;
  dataSize: number;
  trainNumSamples: number;
  position: DataPosition;
  /** Global step of the next batch. */
  step: number;
  resumedFrom: CheckpointSidecar | null;
  theta: tf.Variable;
  trainable: Map<string, tf.Variable>;
  /** The memory estimate the run was admitted with (and whether it recomputes activations). */
  memory: FitDecision;
}

/**
 * The pre-flight memory check: the student (weights, gradients, activations at this batch) and the
 * teacher against what the backend holds. Turns activation checkpointing on when that alone makes the
 * run fit, and refuses a run that cannot fit with the estimate, the limit and the fixes.
 */
function planMemory(config: TrainConfig, cfg: ClipConfig, worldSize: number, log: (message: string) => void): FitDecision {
  const counts = countParams(clipParamSpecs(cfg));
  let trainable = counts.total - (config.lockText ? counts.text : 0);
  if (config.lockLogitScale) trainable -= counts.logitScale;
  let teacher: { cfg: ClipConfig; params: number } | null = null;
  if (isDistilling(config)) {
    try {
      const tcfg = loadModelConfig(config.distillModel!);
      teacher = { cfg: tcfg, params: countParams(clipParamSpecs(tcfg)).total };
    } catch {
      // Not a config this engine can read: loading the teacher reports that, with the fix.
    }
  }
  const plan = planRunMemory({ cfg, params: counts.total, trainableParams: trainable, batchSize: config.batchSize, recompute: config.gradCheckpointing, teacher, worldSize });
  setActivationCheckpointing(plan.estimate.recompute);
  const parts = Object.entries(plan.estimate.parts).map(([k, v]) => `${k} ${gb(v)}`).join(', ');
  log(`memory estimate: ${gb(plan.estimate.backendBytes)} on the ${tf.getBackend()} backend (${parts})` +
    (plan.limit ? ` of ${gb(plan.limit.bytes)} available` : '') + `; AdamW moments ${gb(plan.estimate.hostBytes)} in the JS heap`);
  if (plan.recomputeChosen) {
    log(`activation checkpointing on: without it the run needs about ${gb(planWithout(config, cfg, counts.total, trainable, teacher))}; ` +
      'each block is recomputed in the backward pass (about a third more compute)');
  } else if (plan.estimate.recompute) {
    log('activation checkpointing on (--grad-checkpointing)');
  }
  return plan;
}

function planWithout(config: TrainConfig, cfg: ClipConfig, params: number, trainable: number, teacher: { cfg: ClipConfig; params: number } | null): number {
  return estimateRunMemory({ cfg, params, trainableParams: trainable, batchSize: config.batchSize, recompute: false, teacher }).backendBytes;
}

/**
 * The vocabulary: --vocab, else the built-in dataset's trained one, else the standard CLIP vocabulary
 * shipped in resources/vocab when the model's text tower has its 49,408 ids, else a clear error.
 */
function resolveVocab(config: TrainConfig, builtin: BuiltinDataset | null, cfg: ClipConfig): string {
  if (config.vocab) return config.vocab;
  if (builtin) return builtin.vocabDir;
  if (cfg.text.vocabSize === STANDARD_VOCAB_SIZE) return standardVocabularyPath();
  throw noDefaultVocabularyError(cfg);
}

/** The tokenizer, with file problems and a vocabulary too large for the model reported as the `vocab` field. */
async function loadTokenizer(config: TrainConfig, builtin: BuiltinDataset | null, cfg: ClipConfig): Promise<ClipTokenizer> {
  const source = resolveVocab(config, builtin, cfg);
  let tokenizer: ClipTokenizer;
  try {
    tokenizer = await ClipTokenizer.load(source);
  } catch (err) {
    if (err instanceof VocabularyError) throw new ConfigError('vocab', err.message, 'Give --vocab a CLIP merges file (*.txt.gz) or a folder holding vocab.json + merges.txt');
    throw err;
  }
  try {
    assertVocabularyFitsModel(tokenizer.vocabulary, cfg.text.vocabSize, cfg.name);
  } catch (err) {
    if (err instanceof VocabularyError) throw new ConfigError('vocab', err.message);
    throw err;
  }
  return tokenizer;
}

export async function setupTraining(
  config: TrainConfig, ctx: { dataDir: string; resumeFrom: string | null; comm: Communicator; hooks: TrainerHooks; runId: string },
): Promise<TrainSetup> {
  const { hooks, comm } = ctx;
  // Data first: a missing shard or vocabulary should fail before minutes of model set-up.
  let builtin: BuiltinDataset | null = null;
  let trainData = config.trainData;
  let shardFiles: string[] | null = null;
  // The config passed the run pre-flight (src-main/runs/preflight.ts): required values, names, sizes and
  // the files' existence were checked there. Checked here again: only what needs the files' contents or
  // the backend, and the shards (files can go away while a run waits in the queue).
  if (!trainData) throw new Error('the run pre-flight lets no config without --train-data through');
  if (isBuiltin(trainData)) {
    hooks.progress({ phase: 'setup', epoch: 0, step: 0, totalSteps: 0, samplesPerSecond: null, etaSeconds: null, message: 'preparing the built-in dataset' });
    const prepare = () => prepareBuiltin(trainData!, ctx.dataDir, (p) => hooks.progress({
      phase: 'setup', epoch: 0, step: 0, totalSteps: 0, samplesPerSecond: null, etaSeconds: null,
      message: `built-in dataset: ${p.phase}`, done: p.done, total: p.total,
    }));
    // K workers share one data folder: rank 0 builds the dataset, the others then find it built.
    if (comm.rank === 0) builtin = await prepare();
    waitForMainRank(comm);
    if (comm.rank !== 0) builtin = await prepare();
    if (!builtin) throw new Error('the built-in dataset was not prepared');
    trainData = builtin.trainPattern;
  } else {
    const resolved = resolveExistingShards(trainData);
    shardFiles = resolved.shards;
  }
  // --data_size against the built-in set's size, and required with --fastclip, --train-num-samples and
  // the global batch against an epoch: the pre-flight's. The shards' keys and usable samples: here.
  const dataSize = config.dataSize ?? builtin?.dataSize ?? null;
  if (shardFiles) await checkTrainShards({ shards: shardFiles, dataSize: config.dataSize, batchSize: config.batchSize, worldSize: comm.worldSize });
  const trainNumSamples = config.trainNumSamples ?? builtin?.trainCount ?? null;
  if (trainNumSamples === null) throw new Error('the run pre-flight lets no config without --train-num-samples through for shards');

  let cfg = loadModelConfig(config.model);
  const tokenizer = await loadTokenizer(config, builtin, cfg);
  const memory = planMemory(config, cfg, comm.worldSize, (m) => { if (comm.rank === 0) hooks.log('info', m); });
  if (config.fastclip) cfg = { ...cfg, initLogitScale: Math.log(1 / config.temperature) };

  // Model: resumed, started from given weights, or fresh from --seed (the same on every rank).
  let resumedFrom: CheckpointSidecar | null = null;
  let model: ClipModel;
  let resumeState: Awaited<ReturnType<typeof loadCheckpoint>> | null = null;
  if (ctx.resumeFrom) {
    resumeState = await loadCheckpoint(ctx.resumeFrom, { withState: true });
    if (!resumeState.sidecar) throw new ConfigError('resume', `${ctx.resumeFrom} has no checkpoint sidecar (.json)`, 'Resume needs a checkpoint written by this workbench; use --init-checkpoint to start from bare weights');
    resumedFrom = resumeState.sidecar;
    if (resumedFrom.model !== cfg.name) throw new ConfigError('resume', `the checkpoint is of model ${resumedFrom.model}, the config asks for ${cfg.name}`);
    if (resumedFrom.worldSize !== comm.worldSize) {
      hooks.log('warn', `resuming a checkpoint written with ${resumedFrom.worldSize} worker(s) on ${comm.worldSize}: the data order differs from an uninterrupted run`);
    }
    model = ClipModel.create(cfg, config.seed);
    try {
      model.loadStateDict(resumeState.weights);
    } catch (err) {
      model.dispose();
      throw new ConfigError('resume', `${ctx.resumeFrom} does not fit --model ${cfg.name}: ${(err as Error).message}`, 'Was the model config file changed since the run started? Resume needs the config the run was trained with');
    }
  } else if (config.initCheckpoint) {
    // A checkpoint of this workbench, or published weights (.pt, a pulled model by name, transformers names).
    const loaded = await loadEvalModel({ checkpoint: config.initCheckpoint, dataDir: ctx.dataDir, model: config.model, field: 'init-checkpoint' });
    model = ClipModel.create(cfg, config.seed);
    try {
      model.loadStateDict(loaded.weights);
    } catch (err) {
      model.dispose();
      const trainedWith = loaded.sidecar?.model;
      throw new ConfigError('init-checkpoint', `${config.initCheckpoint} does not fit --model ${cfg.name}: ${(err as Error).message}`,
        trainedWith ? `It was trained with --model ${trainedWith}; give that config, or weights of ${cfg.name}` : `Give weights of ${cfg.name}, or the --model they were trained with`);
    }
    hooks.log('info', `initialised from ${config.initCheckpoint}`);
  } else {
    model = ClipModel.create(cfg, config.seed);
  }

  const objective = createObjective({ ...config, dataSize }, comm);
  const theta = model.variables.get('logit_scale');
  if (!theta) throw new Error('model has no logit_scale parameter');
  if (config.lockLogitScale || !objective.logitScaleTrainable) model.setTrainable((n) => n === 'logit_scale', false);
  if (config.lockText) model.setTrainable(isTextTowerParam, false);

  const trainable = model.trainableVariables();
  const groups = buildParamGroups([...trainable].map(([name, variable]) => ({ name, variable })), {
    lr: config.lr, lrTau: effectiveLrTau(config), weightDecay: config.wd,
  });
  const optimizer = new AdamW(groups, adamHyperparameters({ beta1: config.beta1, beta2: config.beta2, eps: config.eps }));

  let position: DataPosition = { epoch: 0, batchInEpoch: 0 };
  let step = 0;
  if (resumeState && resumedFrom) {
    if (resumeState.optimizer) optimizer.loadStateDict(resumeState.optimizer);
    if (resumeState.objectiveState && Object.keys(resumeState.objectiveState).length > 0) objective.loadStateDict(resumeState.objectiveState);
    position = resumedFrom.position;
    step = resumedFrom.step;
    hooks.log('info', `resumed from ${ctx.resumeFrom} at epoch ${position.epoch}, batch ${position.batchInEpoch}, step ${step}`);
  }

  const loader = await createTrainLoader({
    trainData,
    batchSize: config.batchSize,
    rank: comm.rank,
    worldSize: comm.worldSize,
    workers: config.workers,
    trainNumSamples,
    dataSize: dataSize ?? Number.MAX_SAFE_INTEGER,
    imageSize: cfg.vision.imageSize,
    tokenize: (captions) => tokenizer.encode(captions, cfg.text.contextLength),
    seed: config.seed,
    shuffle: !config.noShuffle,
    augment: !config.noAugment,
    onWarning: (m) => hooks.log('warn', m),
  });
  if (loader.missingShards.length > 0) hooks.log('warn', `${loader.missingShards.length} shard(s) missing, e.g. ${loader.missingShards[0]}`);

  return { cfg, model, tokenizer, loader, objective, optimizer, builtin, dataSize: dataSize ?? 0, trainNumSamples, position, step, resumedFrom, theta, trainable, memory };
}

/** Writes params.txt as the reference paper's code writes it (every option, sorted, `name: value`). */
export function writeParams(outDir: string, config: TrainConfig): void {
  fs.mkdirSync(outDir, { recursive: true });
  const lines = Object.entries(config).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(',') : String(v)}`);
  fs.writeFileSync(path.join(outDir, 'params.txt'), `${lines.join('\n')}\n`);
}

