/**
 * The training loop, readable top to bottom: set up, then for each epoch and batch: schedules, one
 * differentiated step (forward, objective with its all-gathers, gradients), the gradient all-reduce
 * across workers, AdamW, the logit-scale clamp; logs, checkpoints and evaluation in between.
 *
 * Every rank runs this loop on its own shard of the data; rank 0 alone writes logs, checkpoints and
 * evaluations. The weights stay identical on every rank because the gradients are averaged with a
 * deterministic all-reduce and every rank applies the same update.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Communicator } from '../dist/communicator';
import { learningRates, type LrScheduleConfig } from '../optim';
import { toOpenClipJson } from '../model';
import type { MetricPoint } from '../protocol';
import { effectiveLrTau, type TrainConfig } from '../../src-shared/config/train-config';
import { setupTraining, writeParams, type TrainSetup } from './setup';
import { saveCheckpoint, type DataPosition } from '../io/checkpoint';
import { runEpochEvaluation } from './epoch-eval';
import { loadTeacher, type Teacher } from './teacher';
import type { TrainerHooks } from '../hooks';
import { TrainLog } from './train-log';
import { trainStep } from './train-step';
import { agreeOnControl, waitForMainRank } from './rank-sync';
import { memoryReport } from './memory';
import { setActivationCheckpointing } from '../model';

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
  let teacher: Teacher | null = null;
  let log: TrainLog | null = null;
  try {
    teacher = await loadTeacher(config, s, job.dataDir, hooks);
    log = new TrainLog(job.outDir, isMain, hooks, s.resumedFrom ? s.step : null);
    return await trainLoop(job, s, teacher, log, hooks, started);
  } finally {
    // Also after a failure: tests and the app's in-process callers must not keep the loader threads or tensors.
    log?.close();
    await s.loader.close();
    teacher?.dispose();
    setActivationCheckpointing(false);
    s.objective.dispose();
    s.optimizer.dispose();
    s.model.dispose();
  }
}

async function trainLoop(job: TrainJob, s: TrainSetup, teacher: Teacher | null, log: TrainLog, hooks: TrainerHooks, started: number): Promise<TrainSummary> {
  const { config, comm } = job;
  const isMain = comm.rank === 0;
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
    `${batchesPerEpoch} steps/epoch x ${config.epochs} epoch${config.epochs === 1 ? '' : 's'} = ${scheduledSteps} steps${lastStep < scheduledSteps ? ` (stopping at ${lastStep})` : ''}; ` +
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
      model: s.cfg.name, modelConfig: { ...toOpenClipJson(s.cfg) }, trainConfig: { ...config }, objective: s.objective.kind,
      // Streamed: each weight is read from the backend when the writer reaches it, and the optimiser's
      // moments are written from its own arrays, so a checkpoint never holds a copy of the model.
      // A weight that is NaN or infinite (the run diverged although the loss still read finite) stops the
      // write before the sidecar exists: the last good checkpoint stays the newest one a resume can use.
      weights: s.model.specs.map((spec) => ({ name: spec.name, shape: spec.shape, dtype: 'F32' as const, data: () => {
        const data = s.model.variables.get(spec.name)!.dataSync() as Float32Array;
        if (!allFinite(data)) {
          throw new Error(`the weights hold NaN or infinite values at step ${step} (first in ${spec.name}), so checkpoint ${tag} was not written; ` +
            `the last good checkpoint is ${lastCheckpoint ?? 'none (a resume starts again from step 0)'}. Lower --lr (or set --grad-clip-norm) and resume or start again`);
        }
        return data;
      } })),
      optimizer: s.optimizer.stateDict(), objectiveState: s.objective.stateDict(),
      worldSize: comm.worldSize,
    });
    lastCheckpoint = saved.sidecarPath;
    hooks.checkpoint({ path: saved.sidecarPath, epoch: epochsDone, step, sizeBytes: saved.sizeBytes });
    log.info(`saved checkpoint ${saved.sidecarPath} (${(saved.sizeBytes / 1e6).toFixed(1)} MB)`);
  };

  const evaluate = async (epochsDone: number, checkpointPath: string | null, tag = `epoch_${epochsDone}`): Promise<void> => {
    if (!isMain || config.evalTasks.length === 0) return;
    const result = await runEpochEvaluation({ config, setup: s, outDir: job.outDir, epoch: epochsDone, step, hooks, lastStep, tag });
    lastEval = result.metrics;
    hooks.evaluation({ epoch: epochsDone, step, checkpointPath, results: result.results, average: result.average });
    hooks.metrics(Object.entries(result.metrics).map(([k, v]) => ({ key: `val/${k}`, step, value: v, wall: Date.now() })));
    if (result.logLine) log.info(result.logLine);
  };

  if (config.evalTasks.length > 0 && !config.skipPretrainEval && step === 0) {
    await evaluate(0, null);
    waitForMainRank(comm);
  }

  outer: for (let epoch = position.epoch; epoch < config.epochs && step < lastStep; epoch++) {
    s.objective.startEpoch(epoch);
    if (s.objective.gamma !== null) log.info(`gamma: ${s.objective.gamma}`);
    const startBatch = epoch === position.epoch ? position.batchInEpoch : 0;
    // A checkpoint asked for at the last step of an epoch (or of the run) is the end-of-epoch one.
    let checkpointAtEnd = false;
    let pauseAtEnd = false;
    let stepStart = performance.now();
    let stepCpu = process.cpuUsage();
    for await (const batch of s.loader.epoch(epoch, { startBatch })) {
      const i = batch.index ?? 0;
      const theta = s.theta.dataSync()[0]!;
      const lrs = learningRates(step, schedule, theta);
      s.optimizer.setLearningRate('gain_or_bias', lrs.lr);
      s.optimizer.setLearningRate('rest', lrs.lr);
      s.optimizer.setLearningRate('logit_scale', lrs.lrTau);

      const { loss, logs } = trainStep(s, teacher, batch, trainableList, comm, config.gradClipNorm);
      lastLoss = loss;
      step += 1;
      const now = performance.now();
      const batchMs = now - stepStart;
      stepStart = now;
      const cpu = process.cpuUsage(stepCpu);
      stepCpu = process.cpuUsage();
      if (!Number.isFinite(loss)) {
        throw new Error(`loss is ${loss} at step ${step} (epoch ${epoch}, batch ${i}); lower --lr or check the data. The last checkpoint is ${lastCheckpoint ?? 'none'}`);
      }
      log.recordStep({ batchMs, dataMs: batch.waitMs, samples: globalBatch, perWorkerSamples: config.batchSize });
      if (step === s.step + 1 || step === lastStep) {
        log.info(`step ${step} took ${(batchMs / 1000).toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU; ${memoryReport()}`);
      }
      hooks.afterStep?.({ step, epoch, loss });

      const endOfEpoch = i + 1 >= batchesPerEpoch;
      const endOfRun = step >= lastStep;
      if (isMain && (step % config.logEveryNSteps === 0 || endOfEpoch || endOfRun)) {
        const points: MetricPoint[] = log.flush({
          epoch, step, batchInEpoch: i + 1, batchesPerEpoch, samplesPerEpoch: s.loader.samplesPerEpoch, lastStep,
          // The scale this step's forward pass used (read before the update), as the reference paper's code logs it.
          lr: lrs.lr, lrTau: lrs.lrTau, scale: Math.exp(theta), objectiveLogs: logs, gamma: s.objective.gamma,
        });
        hooks.metrics(points);
      } else {
        log.stepProgress(epoch, step, lastStep, globalBatch);
      }
      // The step ran synchronously and the next batch may already be waiting: let pending IPC messages
      // (pause, cancel, checkpoint-now) arrive before they are polled.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const control = agreeOnControl(comm, { stop: hooks.stopRequest(), checkpoint: hooks.checkpointRequest?.() ?? false });
      const wantCheckpoint = control.stop === 'pause' || control.checkpoint || (config.saveEveryNSteps > 0 && step % config.saveEveryNSteps === 0);
      const pos: DataPosition = endOfEpoch ? { epoch: epoch + 1, batchInEpoch: 0 } : { epoch, batchInEpoch: i + 1 };
      if (control.stop === 'cancel') { status = 'cancelled'; break outer; }
      if (endOfEpoch || endOfRun) {
        checkpointAtEnd = wantCheckpoint;
        pauseAtEnd = control.stop === 'pause' && !endOfRun;
        position = pos;
        break;
      }
      if (wantCheckpoint) {
        await checkpoint(`step_${step}`, pos, epoch);
        waitForMainRank(comm);
        if (control.stop === 'pause') { status = 'paused'; position = pos; break outer; }
      }
    }
    const epochsDone = epoch + 1;
    const finishedEpoch = position.epoch === epochsDone;
    const isLast = step >= lastStep;
    if (finishedEpoch) log.info(`epoch ${epochsDone} done: ${s.loader.summary()}`);
    let ckptPath: string | null = null;
    if (finishedEpoch && ((config.saveFrequency > 0 && epochsDone % config.saveFrequency === 0) || isLast || checkpointAtEnd)) {
      await checkpoint(`epoch_${epochsDone}`, position, epochsDone);
      ckptPath = lastCheckpoint;
    } else if (!finishedEpoch && (isLast || checkpointAtEnd)) {
      await checkpoint(`step_${step}`, position, epoch);
      ckptPath = lastCheckpoint;
    }
    if (pauseAtEnd) {
      // Paused at the end of an epoch: its evaluation is left out, so the pause takes effect now.
      waitForMainRank(comm);
      status = 'paused';
      break;
    }
    // The end of training is always evaluated, also when --max-steps stops it inside an epoch.
    if (finishedEpoch && (epochsDone % config.evalEvery === 0 || isLast)) await evaluate(epochsDone, ckptPath);
    else if (isLast) await evaluate(epoch, ckptPath, `step_${step}`);
    if (isLast) break;
    waitForMainRank(comm);
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
  log.info(memoryReport());
  log.info(`${status}: ${summary.steps} steps, ${summary.samplesSeen} samples in ${summary.seconds.toFixed(0)} s; ${summary.dataSummary}`);
  return summary;
}

function allFinite(data: Float32Array): boolean {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) return false;
  return true;
}
