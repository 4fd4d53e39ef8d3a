/**
 * FastCLIP with one global temperature: v0 (`global_learnable`), v1 (`global_constant`) and v3
 * (`global_learnable` + `--multiply_tau`, RGCL-g). docs/design/algorithms.md#global-temperature-v0-v1-v3.
 *
 * Per rank, with b local rows, n = Kb global rows, offset = rank·b and s = exp(θ):
 *   term 1 (local anchors vs global negatives, own pair removed, divisor n − 1)
 *     g1_i = Σ_j exp(s·(e1_i·E2_j − d_i)) / (n − 1),  g2_i = Σ_j exp(s·(e2_i·E1_j − d_i)) / (n − 1)
 *   u update (host side), then all-gathers of the new u and of the indices so every replica writes
 *   the same values;
 *   term 2 (global anchors vs local negatives, the same similarity matrices read column-wise)
 *     h1_j = Σ_i exp(s·(e2_i·E1_j − D_j)) / W,  h2_j = Σ_i exp(s·(e1_i·E2_j − D_j)) / W,  W = b(n − 1)/n
 *   A = ½[mean_i(g1_i/(u1_i+ε) + g2_i/(u2_i+ε)) + mean_j(h1_j/(U1_j+ε) + h2_j/(U2_j+ε))]
 *   loss = A, or with multiply_tau A/s_detached + ρ/s + ½·mean_i(log u1_i + log u2_i)/s.
 * Term 2 reads columns of the term-1 matrices instead of transposing them (same values as the reference paper's
 * `sim_tt.T`, `sim_im.T`). Gradients reach only the local rows: the gathered E1, E2, D are constants.
 */
import * as tf from '@tensorflow/tfjs';
import type { Communicator } from '../dist/communicator';
import { gammaForEpoch, validateGammaOptions, type GammaScheduleOptions } from './gamma-schedule';
import { allGatherChecked, allGatherIntChecked, allGatherRows, concatFloat, concatInt, splitGathered } from './gather';
import { PerSampleState } from './per-sample-state';
import { SelfPairMasks } from './self-pair-mask';
import { asScalar, checkStepInput } from './step-input';
import type { Objective, ObjectiveKind, ObjectiveState, ObjectiveStepInput } from './types';
import { updateU } from './u-update';

export interface FastClipGlobalOptions {
  kind: ObjectiveKind;
  dataSize: number;
  gamma: GammaScheduleOptions;
  rho: number;
  /** `--fastclip_eps` ε, added to u in the denominators. */
  eps: number;
  multiplyTau: boolean;
  logitScaleTrainable: boolean;
}

export class FastClipGlobalObjective implements Objective {
  readonly kind: ObjectiveKind;
  readonly logitScaleTrainable: boolean;
  private readonly state: PerSampleState;
  private readonly masks = new SelfPairMasks();
  private gammaNow = 1;
  private lastLogs: Record<string, number> = {};

  constructor(private readonly o: FastClipGlobalOptions, private readonly comm: Communicator) {
    validateGammaOptions(o.gamma);
    if (!(o.eps >= 0)) throw new RangeError(`fastclip_eps: must be >= 0, got ${o.eps}`);
    if (!Number.isFinite(o.rho)) throw new RangeError(`rho: must be a finite number, got ${o.rho}`);
    this.kind = o.kind;
    this.logitScaleTrainable = o.logitScaleTrainable;
    this.state = new PerSampleState(o.dataSize, { u_im: 0, u_tt: 0 });
  }

  get gamma(): number { return this.gammaNow; }
  get logs(): Readonly<Record<string, number>> { return this.lastLogs; }

  startEpoch(epoch: number): void {
    this.gammaNow = gammaForEpoch(epoch, this.o.gamma);
  }

  step(input: ObjectiveStepInput): tf.Scalar {
    const { e1, e2, theta, imageIndices, textIndices, b } = checkStepInput(input);
    this.state.checkIndices(imageIndices, 'local image indices');
    this.state.checkIndices(textIndices, 'local text indices');
    const K = this.comm.worldSize;
    const n = K * b;
    const offset = this.comm.rank * b;
    if (n < 2) throw new Error('FastCLIP needs a global batch of at least 2 samples (one positive and one negative)');
    const eps = this.o.eps;

    const loss = tf.tidy(() => {
      const [E1, E2] = allGatherRows(this.comm, [e1, e2]) as [tf.Tensor2D, tf.Tensor2D];
      const s = tf.exp(asScalar(theta));
      const mask = this.masks.get(b, n, offset);

      // Term 1: local anchors against all gathered negatives.
      const simIm = tf.matMul(e1, E2, false, true); // [b, n]: e1_i · E2_j
      const simTt = tf.matMul(e2, E1, false, true); // [b, n]: e2_i · E1_j
      const d = tf.sum(tf.mul(e1, e2), 1, true); // [b, 1]
      const g1 = tf.div(tf.sum(tf.mul(tf.exp(tf.mul(tf.sub(simIm, d), s)), mask), 1), n - 1);
      const g2 = tf.div(tf.sum(tf.mul(tf.exp(tf.mul(tf.sub(simTt, d), s)), mask), 1), n - 1);

      // u update on the host with g detached, then every rank writes the whole global batch.
      const gamma = this.gammaNow;
      const u1 = updateU(this.state.read('u_im', imageIndices), g1.dataSync(), gamma);
      const u2 = updateU(this.state.read('u_tt', textIndices), g2.dataSync(), gamma);
      const [U1, U2] = splitGathered(allGatherChecked(this.comm, concatFloat(u1, u2)), 2, b, (m) => new Float32Array(m));
      const [I1, I2] = splitGathered(allGatherIntChecked(this.comm, concatInt(imageIndices, textIndices)), 2, b, (m) => new Int32Array(m));
      this.state.checkIndices(I1!, 'gathered image indices');
      this.state.checkIndices(I2!, 'gathered text indices');
      this.state.write('u_im', I1!, U1!);
      this.state.write('u_tt', I2!, U2!);

      // Term 2: every global anchor j (a column) against the local negatives i (the rows).
      const D = tf.reshape(tf.sum(tf.mul(E1, E2), 1), [1, n]);
      const W = (b * (n - 1)) / n;
      const h1 = tf.div(tf.sum(tf.mul(tf.exp(tf.mul(tf.sub(simTt, D), s)), mask), 0), W);
      const h2 = tf.div(tf.sum(tf.mul(tf.exp(tf.mul(tf.sub(simIm, D), s)), mask), 0), W);

      const term1 = tf.mean(tf.add(tf.mul(g1, reciprocal(u1, eps)), tf.mul(g2, reciprocal(u2, eps))));
      const term2 = tf.mean(tf.add(tf.mul(h1, reciprocal(U1!, eps)), tf.mul(h2, reciprocal(U2!, eps))));
      const surrogate = tf.mul(tf.add(term1, term2), 0.5);
      if (!this.o.multiplyTau) return surrogate as tf.Scalar;

      // RGCL-g: A/s with s detached, plus (ρ + ½·mean(log u1 + log u2))/s. No ε inside that log (as in the reference paper's code).
      const sDetached = s.dataSync()[0]!;
      let logU = 0;
      for (let i = 0; i < b; i++) logU += Math.log(u1[i]!) + Math.log(u2[i]!);
      const tauCoefficient = this.o.rho + logU / (2 * b);
      return tf.add(tf.div(surrogate, sDetached), tf.div(tf.scalar(tauCoefficient), s)) as tf.Scalar;
    });

    const value = loss.dataSync()[0]!;
    this.lastLogs = { contrastive_loss: value, loss: value, gamma: this.gammaNow };
    return loss;
  }

  stateDict(): ObjectiveState { return this.state.stateDict(); }
  loadStateDict(state: ObjectiveState): void { this.state.loadStateDict(state); }
  dispose(): void { this.masks.dispose(); }
}

/** 1/(u + ε) as a constant vector (u is a constant of the surrogate). */
export function reciprocal(u: Float32Array, eps: number): tf.Tensor1D {
  const out = new Float32Array(u.length);
  for (let i = 0; i < u.length; i++) out[i] = 1 / (u[i]! + eps);
  return tf.tensor1d(out);
}
