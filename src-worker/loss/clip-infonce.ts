/**
 * CLIP's symmetric InfoNCE (open_clip `ClipLoss`), the objective without `--fastclip`.
 *
 * K = 1: logits = s·e1·e2ᵀ over the local batch, both sides differentiable, as open_clip computes it
 * on one GPU. K > 1: `local_loss` semantics without `gather_with_grad`, as the reference paper's code runs it: local
 * rows against all-gathered constant columns, labels offset by rank·b. The K-rank gradient therefore
 * lacks the column terms and is NOT the one-process gradient on the global batch (open_clip behaves
 * the same way); FastCLIP's objectives do not have this gap.
 */
import * as tf from '@tensorflow/tfjs';
import type { Communicator } from '../dist/communicator';
import { labelCrossEntropy } from './cross-entropy';
import { allGatherRows } from './gather';
import { asScalar, checkPair, checkTheta } from './step-input';
import type { Objective, ObjectiveState, ObjectiveStepInput } from './types';

/** ½[CE(s·e1·E2ᵀ) + CE(s·e2·E1ᵀ)] with labels rank·b + i. Call inside a tidy (or a gradient tape). */
export function clipLoss(e1: tf.Tensor, e2: tf.Tensor, theta: tf.Tensor, comm: Communicator): tf.Scalar {
  const [b] = checkPair(e1, e2, 'imageFeatures', 'textFeatures');
  checkTheta(theta);
  return tf.tidy(() => {
    const s = tf.exp(asScalar(theta));
    if (comm.worldSize === 1) {
      const logitsPerImage = tf.mul(tf.matMul(e1, e2, false, true), s) as tf.Tensor2D;
      const logitsPerText = tf.transpose(logitsPerImage) as tf.Tensor2D;
      return tf.mul(tf.add(labelCrossEntropy(logitsPerImage, 0), labelCrossEntropy(logitsPerText, 0)), 0.5) as tf.Scalar;
    }
    const [E1, E2] = allGatherRows(comm, [e1, e2]) as [tf.Tensor2D, tf.Tensor2D];
    const offset = comm.rank * b;
    const logitsPerImage = tf.mul(tf.matMul(e1, E2, false, true), s) as tf.Tensor2D;
    const logitsPerText = tf.mul(tf.matMul(e2, E1, false, true), s) as tf.Tensor2D;
    return tf.mul(tf.add(labelCrossEntropy(logitsPerImage, offset), labelCrossEntropy(logitsPerText, offset)), 0.5) as tf.Scalar;
  });
}

export class ClipObjective implements Objective {
  readonly kind = 'clip' as const;
  readonly gamma = null;
  private lastLogs: Record<string, number> = {};

  constructor(readonly logitScaleTrainable: boolean, private readonly comm: Communicator) {}

  get logs(): Readonly<Record<string, number>> { return this.lastLogs; }
  startEpoch(_epoch: number): void {}

  step(input: ObjectiveStepInput): tf.Scalar {
    const loss = clipLoss(input.imageFeatures, input.textFeatures, input.theta, this.comm);
    const value = loss.dataSync()[0]!;
    this.lastLogs = { contrastive_loss: value, loss: value };
    return loss;
  }

  stateDict(): ObjectiveState { return {}; }
  loadStateDict(state: ObjectiveState): void {
    const names = Object.keys(state ?? {});
    if (names.length > 0) throw new Error(`InfoNCE keeps no per-sample state, but the checkpoint has ${names.join(', ')}; resume with --fastclip and the run's temperature scheme`);
  }
  dispose(): void {}
}
