/**
 * One optimiser step: forward, objective (with its all-gathers) and gradients under one tape, the
 * gradient all-reduce across workers, optional clipping, AdamW, the logit-scale clamp.
 *
 * With K > 1 workers every rank computes the loss of its own rows. The mean over ranks is the loss of
 * the global batch (what a single worker with batch Kb computes), so the loss values the objective logs
 * travel in the same all-reduce as the gradients and every rank reports the global mean: a run's curve
 * then does not change with --nproc. (The reference paper's code logs rank 0's local loss.)
 */
import * as tf from '@tensorflow/tfjs';
import type { Communicator, GroupCommunicator } from '../dist/communicator';
import { clampLogitScale, clipCoefficient, type AdamW } from '../optim';
import { l2Normalize, type ClipConfig, type ClipModel } from '../model';
import type { Objective } from '../loss';
import type { Batch } from '../data';
import type { Teacher } from './teacher';

export interface StepParts {
  cfg: ClipConfig;
  model: ClipModel;
  objective: Objective;
  optimizer: AdamW;
  theta: tf.Variable;
  trainable: ReadonlyMap<string, tf.Variable>;
}

export interface StepResult {
  /** The loss of the global batch (the mean over ranks). */
  loss: number;
  /** The objective's logs of this step, loss values averaged over ranks. */
  logs: Record<string, number>;
}

export type StepBatch = Pick<Batch, 'size' | 'images' | 'tokens' | 'keys'>;

export function trainStep(s: StepParts, teacher: Teacher | null, batch: StepBatch, vars: readonly tf.Variable[], comm: Communicator, clipNorm: number | null): StepResult {
  const size = s.cfg.vision.imageSize;
  const ctx = s.cfg.text.contextLength;
  if (batch.tokens.length !== batch.size * ctx) throw new Error(`tokens have context ${batch.tokens.length / batch.size}, the model ${ctx}`);
  const images = tf.tensor4d(batch.images, [batch.size, size, size, 3]);
  const tokens = tf.tensor2d(batch.tokens, [batch.size, ctx], 'int32');
  const teacherFeatures = teacher ? teacher.encode(images, tokens) : null;
  let grads: Record<string, tf.Tensor> = {};
  try {
    const { value, grads: tapeGrads } = tf.variableGrads(() => {
      const image = l2Normalize(s.model.encodeImage(images));
      const text = l2Normalize(s.model.encodeText(tokens));
      return s.objective.step({
        imageFeatures: image, textFeatures: text, theta: s.theta, indices: batch.keys,
        teacherImageFeatures: teacherFeatures?.image, teacherTextFeatures: teacherFeatures?.text,
      });
    }, [...vars]);
    grads = tapeGrads;
    const localLoss = value.dataSync()[0]!;
    value.dispose();
    // The inputs are not needed once the gradients exist: free them before the update.
    images.dispose();
    tokens.dispose();
    if (teacherFeatures) { teacherFeatures.image.dispose(); teacherFeatures.text.dispose(); }
    const logs: Record<string, number> = { ...s.objective.logs, loss: localLoss };
    // One worker applies the tape's gradients, freeing each as it is applied. K workers average them
    // into one flat JS buffer (each tensor freed once copied) and AdamW reads the averages from there:
    // no gradient is ever held twice on the backend.
    const applied: Record<string, tf.Tensor | Float32Array> = comm.worldSize > 1 ? allReduceGradients(grads, vars, comm, logs) : grads;
    const gradScale = clipNorm !== null ? clipCoefficient(applied, clipNorm).coefficient : 1;
    s.optimizer.step(applied, { disposeGrads: true, gradScale });
    if (s.trainable.has('logit_scale')) clampLogitScale(s.theta);
    return { loss: logs.loss!, logs };
  } finally {
    tf.dispose(Object.values(grads));
    images.dispose();
    tokens.dispose();
    if (teacherFeatures) { teacherFeatures.image.dispose(); teacherFeatures.text.dispose(); }
  }
}

/** The logged values that are averaged over ranks: the losses (other logs, e.g. γ, are equal on every rank). */
function averagedLogKeys(logs: Record<string, number>): string[] {
  return Object.keys(logs).filter((k) => k.endsWith('loss')).sort();
}

const flatBuffers = new WeakMap<Communicator, Float32Array>();

/**
 * Averages every gradient over the workers in one collective (one flat buffer in the variables' order,
 * the loss values appended), and replaces the averaged log values in `logs`. Each gradient tensor is
 * freed as soon as it is copied; the result is views into the buffer. A variable without a gradient
 * contributes zeros and gets none back, so AdamW skips it on every rank as it would with one worker.
 * The buffer is reused across steps: refilling a fresh 600 MB array costs about 3x an array already in use.
 */
function allReduceGradients(grads: Record<string, tf.Tensor>, vars: readonly tf.Variable[], comm: Communicator, logs: Record<string, number>): Record<string, Float32Array> {
  const logKeys = averagedLogKeys(logs);
  let total = logKeys.length;
  for (const v of vars) total += v.size;
  let flat = flatBuffers.get(comm);
  if (flat?.length !== total) {
    flat = new Float32Array(total);
    flatBuffers.set(comm, flat);
  }
  const has = new Set<string>();
  let offset = 0;
  for (const v of vars) {
    const g = grads[v.name];
    if (g) {
      flat.set(g.dataSync() as Float32Array, offset);
      g.dispose();
      delete grads[v.name];
      has.add(v.name);
    } else {
      flat.fill(0, offset, offset + v.size);
    }
    offset += v.size;
  }
  logKeys.forEach((k, i) => { flat[offset + i] = logs[k]!; });
  const group = comm as Partial<GroupCommunicator>;
  const mean = group.allReduceMeanInto ? (group.allReduceMeanInto(flat, flat), flat) : comm.allReduceMean(flat);
  const out: Record<string, Float32Array> = {};
  offset = 0;
  for (const v of vars) {
    if (has.has(v.name)) out[v.name] = mean.subarray(offset, offset + v.size);
    offset += v.size;
  }
  logKeys.forEach((k, i) => { logs[k] = mean[offset + i]!; });
  return out;
}
