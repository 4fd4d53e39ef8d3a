/**
 * The training loop, readable top to bottom: set up, then for each epoch and batch: schedules, one
 * differentiated step (forward, objective with its all-gathers, gradients), the gradient all-reduce
 * across workers, AdamW, the logit-scale clamp; logs, checkpoints and evaluation in between.
 *
 * Every rank runs this loop on its own shard of the data; rank 0 alone writes logs, checkpoints and
 * evaluations. The weights stay identical on every rank because the gradients are averaged with a
 * deterministic all-reduce and every rank applies the same update.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Communicator, GroupCommunicator } from '../dist/communicator';
import { learningRates, clampLogitScale, clipGradNorm, type LrScheduleConfig } from '../optim';
import { l2Normalize } from '../model';
import type { Batch } from '../data';
import type { MetricPoint } from '../protocol';
import { effectiveLrTau, type TrainConfig } from './config';
import { setupTraining, writeParams, type TrainSetup } from './setup';
import { saveCheckpoint, type DataPosition } from './checkpoint';
import { runEpochEvaluation } from './epoch-eval';
import { loadTeacher, type Teacher } from './teacher';
import type { TrainerHooks } from './hooks';
import { TrainLog } from './train-log';

export interface TrainJob {
  runId: string;
  /** The run folder: out.log, params.txt, metrics.jsonl, checkpoints/, eval_results/. */
  outDir: string;
  /** The workbench data folder (built-in datasets, models). */
  dataDir: string;
  config: TrainConfig;
  resumeFrom: string | null;
  comm: Communicator;
}

export interface TrainSummary {
  status: 'finished' | 'paused' | 'cancelled';
  epochsCompleted: number;
  steps: number;
  samplesSeen: number;
  seconds: number;
  lastLoss: number | null;
  lastCheckpoint: string | null;
  lastEval: Record<string, number | null>;
  dataSummary: string;
  backend: string;
}

export async function runTraining(job: TrainJob, hooks: TrainerHooks): Promise<TrainSummary> {
  const { config, comm } = job;
  const isMain = comm.rank === 0;
  const started = Date.now();
  if (isMain) writeParams(job.outDir, config);
  const s = await setupTraining(config, { dataDir: job.dataDir, resumeFrom: job.resumeFrom, comm, hooks, runId: job.runId });
  const teacher: Teacher | null = await loadTeacher(config, s, job.dataDir, hooks);
  const log = new TrainLog(job.outDir, isMain, hooks);
  const batchesPerEpoch = s.loader.batchesPerEpoch;
  const scheduledSteps = batchesPerEpoch * config.epochs;
  const lastStep = config.maxSteps !== null ? Math.min(scheduledSteps, config.maxSteps) : scheduledSteps;
  const schedule: LrScheduleConfig = {
    lr: config.lr, lrTau: effectiveLrTau(config), lrMin: config.lrMin, warmup: config.warmup, totalSteps: scheduledSteps,
    lrScheduler: config.lrScheduler, lrTauScheduler: config.lrTauScheduler,
  };
  const trainableList = [...s.trainable.values()];
  const globalBatch = config.batchSize * comm.worldSize;
  log.info(`model ${s.cfg.name}: ${s.model.specs.length} tensors, ${trainableList.length} trainable; objective ${s.objective.kind}; ` +
    `${batchesPerEpoch} steps/epoch x ${config.epochs} epochs = ${scheduledSteps} steps${lastStep < scheduledSteps ? ` (stopping at ${lastStep})` : ''}; ` +
    `global batch ${globalBatch} (${comm.worldSize} worker(s) x ${config.batchSize})`);

  let step = s.step;
  let position: DataPosition = s.position;
  let lastCheckpoint: string | null = null;
  let lastEval: Record<string, number | null> = {};
  let lastLoss: number | null = null;
  let status: TrainSummary['status'] = 'finished';

  const checkpoint = async (tag: string, pos: DataPosition, epochsDone: number): Promise<void> => {
    if (!isMain) return;
    hooks.progress({ phase: 'checkpoint', epoch: pos.epoch, step, totalSteps: lastStep, samplesPerSecond: null, etaSeconds: null, message: `saving ${tag}` });
    const saved = await saveCheckpoint({
      dir: path.join(job.outDir, 'checkpoints'), tag, runId: job.runId, epoch: epochsDone, step, position: pos,
      model: s.cfg.name, modelConfig: { ...s.cfg }, trainConfig: { ...config }, objective: s.objective.kind,
      weights: await s.model.exportStateDict(), optimizer: s.optimizer.stateDict(), objectiveState: s.objective.stateDict(),
      worldSize: comm.worldSize,
    });
    lastCheckpoint = saved.sidecarPath;
    hooks.checkpoint({ path: saved.sidecarPath, epoch: epochsDone, step, sizeBytes: saved.sizeBytes });
    log.info(`saved checkpoint ${saved.sidecarPath} (${(saved.sizeBytes / 1e6).toFixed(1)} MB)`);
  };

  const evaluate = async (epochsDone: number, checkpointPath: string | null): Promise<void> => {
    if (!isMain || config.evalTasks.length === 0) return;
    const result = await runEpochEvaluation({ config, setup: s, outDir: job.outDir, epoch: epochsDone, step, hooks, lastStep });
    lastEval = result.metrics;
    hooks.evaluation({ epoch: epochsDone, step, checkpointPath, results: result.results, average: result.average });
    hooks.metrics(Object.entries(result.metrics).map(([k, v]) => ({ key: `val/${k}`, step, value: v, wall: Date.now() })));
    if (result.logLine) log.info(result.logLine);
  };

  if (isMain && config.evalTasks.length > 0 && !config.skipPretrainEval && step === 0) await evaluate(0, null);

  outer: for (let epoch = position.epoch; epoch < config.epochs && step < lastStep; epoch++) {
    s.objective.startEpoch(epoch);
    if (s.objective.gamma !== null) log.info(`gamma: ${s.objective.gamma}`);
    const startBatch = epoch === position.epoch ? position.batchInEpoch : 0;
    let stepStart = performance.now();
    for await (const batch of s.loader.epoch(epoch, { startBatch })) {
      const i = batch.index ?? 0;
      const theta = s.theta.dataSync()[0]!;
      const lrs = learningRates(step, schedule, theta);
      s.optimizer.setLearningRate('gain_or_bias', lrs.lr);
      s.optimizer.setLearningRate('rest', lrs.lr);
      s.optimizer.setLearningRate('logit_scale', lrs.lrTau);

      const loss = trainStep(s, teacher, batch, trainableList, comm, config.gradClipNorm);
      lastLoss = loss;
      step += 1;
      const now = performance.now();
      const batchMs = now - stepStart;
      stepStart = now;
      if (!Number.isFinite(loss)) {
        throw new Error(`loss is ${loss} at step ${step} (epoch ${epoch}, batch ${i}); lower --lr or check the data. The last checkpoint is ${lastCheckpoint ?? 'none'}`);
      }
      log.recordStep({ batchMs, dataMs: batch.waitMs, samples: globalBatch, perWorkerSamples: config.batchSize });
      hooks.afterStep?.({ step, epoch, loss });

      const endOfEpoch = i + 1 >= batchesPerEpoch;
      if (isMain && (step % config.logEveryNSteps === 0 || endOfEpoch || step === lastStep)) {
        const points: MetricPoint[] = log.flush({
          epoch, step, batchInEpoch: i + 1, batchesPerEpoch, samplesPerEpoch: s.loader.samplesPerEpoch, lastStep,
          lr: lrs.lr, lrTau: lrs.lrTau, scale: Math.exp(s.theta.dataSync()[0]!), objectiveLogs: s.objective.logs, gamma: s.objective.gamma,
        });
        hooks.metrics(points);
      }
      const stopRequest = hooks.stopRequest();
      const ckptRequest = hooks.checkpointRequest?.() ?? false;
      const stepCkpt = config.saveEveryNSteps > 0 && step % config.saveEveryNSteps === 0;
      const pos: DataPosition = endOfEpoch ? { epoch: epoch + 1, batchInEpoch: 0 } : { epoch, batchInEpoch: i + 1 };
      if (stopRequest === 'cancel') { status = 'cancelled'; break outer; }
      if (stopRequest === 'pause' || ckptRequest || (stepCkpt && !endOfEpoch)) {
        await checkpoint(`step_${step}`, pos, endOfEpoch ? epoch + 1 : epoch);
        if (stopRequest === 'pause') { status = 'paused'; position = pos; break outer; }
      }
      if (step >= lastStep) { position = pos; break; }
    }
    const epochsDone = epoch + 1;
    if (status !== 'finished') break;
    const finishedEpoch = step >= batchesPerEpoch * epochsDone;
    if (finishedEpoch) {
      position = { epoch: epochsDone, batchInEpoch: 0 };
      log.info(`epoch ${epochsDone} done: ${s.loader.summary()}`);
    }
    const isLast = step >= lastStep;
    let ckptPath: string | null = null;
    if (finishedEpoch && ((config.saveFrequency > 0 && epochsDone % config.saveFrequency === 0) || isLast)) {
      await checkpoint(`epoch_${epochsDone}`, position, epochsDone);
      ckptPath = lastCheckpoint;
    } else if (isLast) {
      await checkpoint(`step_${step}`, { epoch, batchInEpoch: step - epoch * batchesPerEpoch }, epoch);
      ckptPath = lastCheckpoint;
    }
    if (finishedEpoch && (epochsDone % config.evalEvery === 0 || isLast)) await evaluate(epochsDone, ckptPath);
    if (isLast) break;
  }

  const summary: TrainSummary = {
    status,
    epochsCompleted: Math.floor(step / batchesPerEpoch),
    steps: step,
    samplesSeen: step * globalBatch,
    seconds: (Date.now() - started) / 1000,
    lastLoss,
    lastCheckpoint,
    lastEval,
    dataSummary: s.loader.summary(),
    backend: tf.getBackend(),
  };
  log.info(`${status}: ${summary.steps} steps, ${summary.samplesSeen} samples in ${summary.seconds.toFixed(0)} s; ${summary.dataSummary}`);
  log.close();
  await s.loader.close();
  teacher?.dispose();
  s.objective.dispose();
  s.model.dispose();
  return summary;
}

/**
 * One optimiser step. The objective runs inside tf.variableGrads (its all-gathers are synchronous), the
 * teacher outside it (forward only, nothing recorded). Returns the loss.
 */
function trainStep(s: TrainSetup, teacher: Teacher | null, batch: Batch, vars: tf.Variable[], comm: Communicator, clipNorm: number | null): number {
  const size = s.cfg.vision.imageSize;
  const ctx = s.cfg.text.contextLength;
  const images = tf.tensor4d(batch.images, [batch.size, size, size, 3]);
  const tokens = tf.tensor2d(batch.tokens, [batch.size, batch.tokens.length / batch.size], 'int32');
  const teacherFeatures = teacher ? teacher.encode(images, tokens) : null;
  try {
    if (tokens.shape[1] !== ctx) throw new Error(`tokens have context ${tokens.shape[1]}, the model ${ctx}`);
    const { value, grads } = tf.variableGrads(() => {
      const image = l2Normalize(s.model.encodeImage(images));
      const text = l2Normalize(s.model.encodeText(tokens));
      return s.objective.step({
        imageFeatures: image, textFeatures: text, theta: s.theta, indices: batch.keys,
        teacherImageFeatures: teacherFeatures?.image, teacherTextFeatures: teacherFeatures?.text,
      });
    }, vars);
    let finalGrads: Record<string, tf.Tensor> = grads;
    if (comm.worldSize > 1) {
      finalGrads = allReduceGradients(grads, vars, comm);
      for (const g of Object.values(grads)) g.dispose();
    }
    if (clipNorm !== null) clipGradNorm(finalGrads, clipNorm);
    s.optimizer.step(finalGrads);
    if (s.trainable.has('logit_scale')) clampLogitScale(s.theta);
    const loss = value.dataSync()[0]!;
    value.dispose();
    for (const g of Object.values(finalGrads)) g.dispose();
    return loss;
  } finally {
    images.dispose();
    tokens.dispose();
    if (teacherFeatures) { teacherFeatures.image.dispose(); teacherFeatures.text.dispose(); }
  }
}

let flatGradients: Float32Array | null = null;

/**
 * Averages every gradient over the workers in one collective (one flat buffer, fixed order). The buffer
 * is reused across steps: refilling a fresh 600 MB array costs about 3x an array already in use.
 */
function allReduceGradients(grads: Record<string, tf.Tensor>, vars: tf.Variable[], comm: Communicator): Record<string, tf.Tensor> {
  let total = 0;
  for (const v of vars) total += v.size;
  if (flatGradients?.length !== total) flatGradients = new Float32Array(total);
  const flat = flatGradients;
  let offset = 0;
  for (const v of vars) {
    const g = grads[v.name];
    if (g) flat.set(g.dataSync() as Float32Array, offset);
    offset += v.size;
  }
  const group = comm as Partial<GroupCommunicator>;
  let mean: Float32Array;
  if (group.allReduceMeanInto) { group.allReduceMeanInto(flat, flat); mean = flat; } else mean = comm.allReduceMean(flat);
  const out: Record<string, tf.Tensor> = {};
  offset = 0;
  for (const v of vars) {
    out[v.name] = tf.tensor(mean.subarray(offset, offset + v.size), v.shape, 'float32');
    offset += v.size;
  }
  return out;
}

export function ensureRunDir(outDir: string): void {
  fs.mkdirSync(path.join(outDir, 'checkpoints'), { recursive: true });
}
