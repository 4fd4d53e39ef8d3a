/**
 * Distillation from a reference (teacher) model, docs/design/algorithms.md#distillation-terms (the reference paper's FastCLIPDistillLoss).
 *
 * e = student features, t = teacher features (both L2-normalised), s = exp(θ) the student scale,
 * s_T the teacher scale (100 for OpenAI weights). With K > 1 the columns are all-gathered without
 * gradient (rows local, labels offset by rank·b); with K = 1 the reference paper's code does not gather, so the student
 * columns of cross_entropy and kl stay differentiable.
 *   feature:       mean_i ||t1_i − e1_i||² + mean_i ||t2_i − e2_i||² (local only)
 *   cross_entropy: ½[CE(softmax(s_T·t1·T2ᵀ), s·e1·E2ᵀ) + CE(softmax(s_T·t2·T1ᵀ), s·e2·E1ᵀ)]
 *   kl:            ½[KL(teacher ‖ student) per direction, batchmean]
 *   interactive:   ½[CE(s·e1·T2ᵀ, offset+i) + CE(s·e2·T1ᵀ, offset+i)] (student scale, teacher columns)
 * The two directions are averaged (docs/design/algorithms.md#distillation-terms). The reference paper's
 * cross_entropy code that could be read (vibalcam/clip_with_reference, src/fast_clip/loss.py) sums them
 * instead, which is twice this value (as if D were doubled against C); kl and interactive were not in
 * the readable versions.
 */
import * as tf from '@tensorflow/tfjs';
import type { Communicator } from '../dist/communicator';
import { klDivergenceBatchMean, labelCrossEntropy, softCrossEntropy } from './cross-entropy';
import { allGatherRows } from './gather';
import { asScalar, checkPair, checkTheta } from './step-input';
import { WorkbenchError } from '../../src-shared/errors';

export const DISTILL_MODES = ['feature', 'cross_entropy', 'kl', 'interactive'] as const;
export type DistillMode = (typeof DISTILL_MODES)[number];

/** The scale of the OpenAI teacher: exp(4.6052). */
export const TEACHER_LOGIT_SCALE = 100;

export interface DistillInput {
  imageFeatures: tf.Tensor;
  textFeatures: tf.Tensor;
  /** The student's logit_scale parameter θ (s = exp θ). Only cross_entropy, kl and interactive use it. */
  theta: tf.Tensor;
  teacherImageFeatures: tf.Tensor;
  teacherTextFeatures: tf.Tensor;
  /** s_T, default 100. */
  teacherScale?: number;
}

export function parseDistillMode(value: unknown): DistillMode {
  if (typeof value === 'string' && (DISTILL_MODES as readonly string[]).includes(value)) return value as DistillMode;
  throw new WorkbenchError(`distill-mode: "${String(value)}" is not one of ${DISTILL_MODES.join(', ')}`, { kind: 'invalid', field: 'distill-mode' });
}

/** The distillation term D of one step. Call inside the differentiated function; tidy inside. */
export function distillLoss(mode: DistillMode, input: DistillInput, comm: Communicator): tf.Scalar {
  const [b, d] = checkPair(input.imageFeatures, input.textFeatures, 'imageFeatures', 'textFeatures');
  const [bt, dt] = checkPair(input.teacherImageFeatures, input.teacherTextFeatures, 'teacherImageFeatures', 'teacherTextFeatures');
  if (bt !== b || dt !== d) {
    throw new Error(`teacher features [${bt}, ${dt}] must match the student's [${b}, ${d}]; a teacher with another embedding width needs a projection, which the reference paper's code does not have`);
  }
  checkTheta(input.theta);
  const sT = input.teacherScale ?? TEACHER_LOGIT_SCALE;
  if (!(sT > 0 && Number.isFinite(sT))) throw new RangeError(`teacherScale: must be a positive number, got ${sT}`);
  const e1 = input.imageFeatures as tf.Tensor2D;
  const e2 = input.textFeatures as tf.Tensor2D;
  const t1 = input.teacherImageFeatures as tf.Tensor2D;
  const t2 = input.teacherTextFeatures as tf.Tensor2D;

  return tf.tidy(() => {
    switch (mode) {
      case 'feature':
        return tf.add(meanSquaredDistance(t1, e1), meanSquaredDistance(t2, e2)) as tf.Scalar;
      case 'cross_entropy':
      case 'kl': {
        const s = tf.exp(asScalar(input.theta));
        const [E1, E2, T1, T2] = comm.worldSize === 1 ? [e1, e2, t1, t2] : allGatherRows(comm, [e1, e2, t1, t2]);
        const studentImage = tf.mul(tf.matMul(e1, E2!, false, true), s) as tf.Tensor2D;
        const studentText = tf.mul(tf.matMul(e2, E1!, false, true), s) as tf.Tensor2D;
        const teacherImage = tf.mul(tf.matMul(t1, T2!, false, true), sT) as tf.Tensor2D;
        const teacherText = tf.mul(tf.matMul(t2, T1!, false, true), sT) as tf.Tensor2D;
        const f = mode === 'kl' ? klDivergenceBatchMean : softCrossEntropy;
        return tf.mul(tf.add(f(studentImage, teacherImage), f(studentText, teacherText)), 0.5) as tf.Scalar;
      }
      case 'interactive': {
        const s = tf.exp(asScalar(input.theta));
        const [T1, T2] = comm.worldSize === 1 ? [t1, t2] : allGatherRows(comm, [t1, t2]);
        const offset = comm.rank * b;
        const imageToTeacherText = tf.mul(tf.matMul(e1, T2!, false, true), s) as tf.Tensor2D;
        const textToTeacherImage = tf.mul(tf.matMul(e2, T1!, false, true), s) as tf.Tensor2D;
        return tf.mul(tf.add(labelCrossEntropy(imageToTeacherText, offset), labelCrossEntropy(textToTeacherImage, offset)), 0.5) as tf.Scalar;
      }
      default:
        throw new WorkbenchError(`distill-mode: "${String(mode)}" is not one of ${DISTILL_MODES.join(', ')}`, { kind: 'invalid', field: 'distill-mode' });
    }
  });
}

/** mean_i ||a_i − b_i||². */
function meanSquaredDistance(a: tf.Tensor2D, b: tf.Tensor2D): tf.Scalar {
  return tf.mean(tf.sum(tf.square(tf.sub(a, b)), 1));
}

/** (1 − w)·C + w·D, the reference paper's total loss; w must lie in [0, 1]. */
export function combineLosses(contrastive: tf.Scalar, distill: tf.Scalar, weight: number): tf.Scalar {
  checkDistillWeight(weight);
  return tf.tidy(() => tf.add(tf.mul(contrastive, 1 - weight), tf.mul(distill, weight)) as tf.Scalar);
}

export function checkDistillWeight(weight: number): void {
  if (!(typeof weight === 'number' && weight >= 0 && weight <= 1)) {
    throw new RangeError(`distill-weight: must be in [0, 1], got ${String(weight)}; it is w in (1 − w)·contrastive + w·distill`);
  }
}
