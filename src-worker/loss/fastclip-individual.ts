/**
 * FastCLIP v2 (`individual_learnable`, RGCL / iSogCLR): one temperature per sample and modality,
 * updated on the host by an Adam-style rule, not by autograd (docs/design/algorithms.md#individual-temperatures-v2). The model's logit
 * scale is frozen and not used.
 *
 * Per rank (b local rows, n = Kb, offset = rank·b), with old temperatures τ1_i, τ2_i of the local rows:
 *   diff1_ij = (e1_i·E2_j − d_i)/τ1_i,  diff2_ij = (e2_i·E1_j − d_i)/τ2_i
 *   bound_i  = max(old bound_i, max_j diff_ij)              (log-sum-exp shift, detached)
 *   g_i      = Σ_{j≠offset+i} exp(diff_ij − bound_i) / (n − 1)
 *   u_i      = (1 − γ)·u_old·exp(bound_old − bound_i) + γ·g_i (never-seen reset when γ < 1)
 *   G_i      = clamp(−Σ_j exp(diff_ij − bound_i)·diff_ij / ((u_i + ε)(n − 1)) + log(u_i + ε) + bound_i + ρ, −5, 5)
 *   τ_i      ← clamp(τ_i − lr_tau·m̂/(√v̂ + eps), 0.01, 1), with β = 0 during epoch 0 and bias
 *              correction exponent epoch + 1 (not the step count), as the reference paper's code does.
 * Twelve arrays are all-gathered (u, new τ, new bounds, old τ, m, v for both modalities); term 2 uses
 * the OLD τ and the NEW bounds of the global anchors:
 *   h1_j = Σ_{i} exp((e2_i·E1_j − D_j)/τ1_j − B1_j) / W, W = b(n − 1)/n (own pair removed)
 *   loss = ½[mean_i(g1_i/(u1_i+ε) + g2_i/(u2_i+ε)) + mean_j(h1_j/(U1_j+ε) + h2_j/(U2_j+ε))]
 * (`--multiply_tau` is ignored by this scheme, as in FastCLIP.)
 */
import * as tf from '@tensorflow/tfjs';
import type { Communicator } from '../dist/communicator';
import { reciprocal } from './fastclip-global';
import { gammaForEpoch, validateGammaOptions, type GammaScheduleOptions } from './gamma-schedule';
import { allGatherChecked, allGatherIntChecked, allGatherRows, concatFloat, concatInt, splitGathered } from './gather';
import { PerSampleState } from './per-sample-state';
import { SelfPairMasks } from './self-pair-mask';
import { checkStepInput } from './step-input';
import type { Objective, ObjectiveState, ObjectiveStepInput } from './types';
import { updateU } from './u-update';

export interface FastClipIndividualOptions {
  dataSize: number;
  gamma: GammaScheduleOptions;
  rho: number;
  eps: number;
  /** `--temperature`: initial τ of every sample. */
  tauInit: number;
  /** `--lr_tau`: constant step size of the τ update. */
  lrTau: number;
  /** `--beta1`, `--beta2`, `--eps` of the τ update from epoch 1 on. */
  beta1: number;
  beta2: number;
  epsTau: number;
}

const TAU_MIN = 0.01;
const TAU_MAX = 1.0;
const TAU_GRAD_CLAMP = 5.0;

/** The gathered arrays, in the order every rank sends them. */
const GATHERED = ['u_im', 'u_tt', 'tau_im', 'tau_tt', 'bound_im', 'bound_tt', 'old_tau_im', 'old_tau_tt',
  'm_grad_tau_im', 'm_grad_tau_tt', 'v_grad_tau_im', 'v_grad_tau_tt'] as const;

interface SideUpdate {
  u: Float32Array;
  tau: Float32Array;
  bound: Float32Array;
  oldTau: Float32Array;
  m: Float32Array;
  v: Float32Array;
  /** Term 1 of this modality, g_i (differentiable). */
  g: tf.Tensor1D;
}

export class FastClipIndividualObjective implements Objective {
  readonly kind = 'fastclip-v2' as const;
  readonly logitScaleTrainable = false;
  private readonly state: PerSampleState;
  private readonly masks = new SelfPairMasks();
  private gammaNow = 1;
  private epoch = 0;
  private lastLogs: Record<string, number> = {};

  constructor(private readonly o: FastClipIndividualOptions, private readonly comm: Communicator) {
    validateGammaOptions(o.gamma);
    if (!(o.tauInit >= TAU_MIN && o.tauInit <= TAU_MAX)) throw new RangeError(`temperature: the initial τ of v2 must be in [0.01, 1], got ${o.tauInit}`);
    if (!(o.lrTau > 0)) throw new RangeError(`lr_tau: must be > 0 for the individual temperatures, got ${o.lrTau}`);
    for (const [name, beta] of [['beta1', o.beta1], ['beta2', o.beta2]] as const) {
      if (!(beta >= 0 && beta < 1)) throw new RangeError(`${name}: must be in [0, 1), got ${beta}`);
    }
    if (!(o.epsTau > 0)) throw new RangeError(`eps: must be > 0, got ${o.epsTau}`);
    if (!(o.eps >= 0)) throw new RangeError(`fastclip_eps: must be >= 0, got ${o.eps}`);
    this.state = new PerSampleState(o.dataSize, {
      u_im: 0, u_tt: 0, tau_im: o.tauInit, tau_tt: o.tauInit,
      m_grad_tau_im: 0, m_grad_tau_tt: 0, v_grad_tau_im: 0, v_grad_tau_tt: 0, bound_im: 0, bound_tt: 0,
    });
  }

  get gamma(): number { return this.gammaNow; }
  get logs(): Readonly<Record<string, number>> { return this.lastLogs; }

  startEpoch(epoch: number): void {
    this.gammaNow = gammaForEpoch(epoch, this.o.gamma);
    this.epoch = epoch;
  }

  step(input: ObjectiveStepInput): tf.Scalar {
    const { e1, e2, imageIndices, textIndices, b } = checkStepInput(input);
    this.state.checkIndices(imageIndices, 'local image indices');
    this.state.checkIndices(textIndices, 'local text indices');
    const n = this.comm.worldSize * b;
    const offset = this.comm.rank * b;
    if (n < 2) throw new Error('FastCLIP needs a global batch of at least 2 samples (one positive and one negative)');
    const eps = this.o.eps;
    let tauMean = [0, 0];

    const loss = tf.tidy(() => {
      const [E1, E2] = allGatherRows(this.comm, [e1, e2]) as [tf.Tensor2D, tf.Tensor2D];
      const mask = this.masks.get(b, n, offset);
      const simIm = tf.matMul(e1, E2, false, true);
      const simTt = tf.matMul(e2, E1, false, true);
      const d = tf.sum(tf.mul(e1, e2), 1, true);

      const im = this.localSide(tf.sub(simIm, d), 'im', imageIndices, mask, n);
      const tt = this.localSide(tf.sub(simTt, d), 'tt', textIndices, mask, n);
      tauMean = [meanOf(im.tau), meanOf(tt.tau)];

      const sent = [im.u, tt.u, im.tau, tt.tau, im.bound, tt.bound, im.oldTau, tt.oldTau, im.m, tt.m, im.v, tt.v];
      const all = splitGathered(allGatherChecked(this.comm, concatFloat(...sent)), GATHERED.length, b, (m) => new Float32Array(m));
      const got = Object.fromEntries(GATHERED.map((name, k) => [name, all[k]!])) as Record<(typeof GATHERED)[number], Float32Array>;
      const [I1, I2] = splitGathered(allGatherIntChecked(this.comm, concatInt(imageIndices, textIndices)), 2, b, (m) => new Int32Array(m));
      this.state.checkIndices(I1!, 'gathered image indices');
      this.state.checkIndices(I2!, 'gathered text indices');
      for (const [side, idx] of [['im', I1!], ['tt', I2!]] as const) {
        this.state.write(`u_${side}`, idx, got[`u_${side}`]);
        this.state.write(`tau_${side}`, idx, got[`tau_${side}`]);
        this.state.write(`bound_${side}`, idx, got[`bound_${side}`]);
        this.state.write(`m_grad_tau_${side}`, idx, got[`m_grad_tau_${side}`]);
        this.state.write(`v_grad_tau_${side}`, idx, got[`v_grad_tau_${side}`]);
      }

      // Term 2: global anchors (columns) with their old τ and new bounds, against the local rows.
      const D = tf.reshape(tf.sum(tf.mul(E1, E2), 1), [1, n]);
      const W = (b * (n - 1)) / n;
      const h1 = this.remoteSide(tf.sub(simTt, D), got.old_tau_im, got.bound_im, mask, W);
      const h2 = this.remoteSide(tf.sub(simIm, D), got.old_tau_tt, got.bound_tt, mask, W);

      const term1 = tf.mean(tf.add(tf.mul(im.g, reciprocal(im.u, eps)), tf.mul(tt.g, reciprocal(tt.u, eps))));
      const term2 = tf.mean(tf.add(tf.mul(h1, reciprocal(got.u_im, eps)), tf.mul(h2, reciprocal(got.u_tt, eps))));
      return tf.mul(tf.add(term1, term2), 0.5) as tf.Scalar;
    });

    const value = loss.dataSync()[0]!;
    this.lastLogs = {
      contrastive_loss: value, loss: value, gamma: this.gammaNow,
      tau_im_mean: tauMean[0]!, tau_tt_mean: tauMean[1]!, tau_mean: (tauMean[0]! + tauMean[1]!) / 2, lr_tau: this.o.lrTau,
    };
    return loss;
  }

  /** Term 1 for one modality, and the host-side updates of its bound, u, τ and moments. */
  private localSide(centred: tf.Tensor2D, side: 'im' | 'tt', idx: Int32Array, mask: tf.Tensor2D, n: number): SideUpdate {
    const b = idx.length;
    const oldTau = this.state.read(`tau_${side}`, idx);
    const oldBound = this.state.read(`bound_${side}`, idx);
    const diff = tf.mul(centred, column(oldTau.map((t) => 1 / t)));
    const rowMax = tf.max(diff, 1).dataSync();
    const bound = new Float32Array(b);
    for (let i = 0; i < b; i++) bound[i] = Math.max(oldBound[i]!, rowMax[i]!);
    const expDiff = tf.mul(tf.exp(tf.sub(diff, column(bound))), mask);
    const g = tf.div(tf.sum(expDiff, 1), n - 1) as tf.Tensor1D;
    const rescale = new Float64Array(b);
    for (let i = 0; i < b; i++) rescale[i] = Math.exp(oldBound[i]! - bound[i]!);
    const u = updateU(this.state.read(`u_${side}`, idx), g.dataSync(), this.gammaNow, rescale);

    // diff·exp(diff − bound) summed over the row: the data part of dτ, computed without autograd.
    const weighted = tf.sum(tf.mul(expDiff, diff), 1).dataSync();
    const { rho, eps, lrTau, epsTau } = this.o;
    const beta1 = this.epoch > 0 ? this.o.beta1 : 0;
    const beta2 = this.epoch > 0 ? this.o.beta2 : 0;
    const correction1 = 1 - beta1 ** (this.epoch + 1);
    const correction2 = 1 - beta2 ** (this.epoch + 1);
    const mOld = this.state.read(`m_grad_tau_${side}`, idx);
    const vOld = this.state.read(`v_grad_tau_${side}`, idx);
    const m = new Float32Array(b);
    const v = new Float32Array(b);
    const tau = new Float32Array(b);
    for (let i = 0; i < b; i++) {
      const ui = u[i]!;
      const raw = -weighted[i]! / (ui + eps) / (n - 1) + Math.log(ui + eps) + bound[i]! + rho;
      const grad = Math.min(TAU_GRAD_CLAMP, Math.max(-TAU_GRAD_CLAMP, raw));
      m[i] = beta1 * mOld[i]! + (1 - beta1) * grad;
      v[i] = beta2 * vOld[i]! + (1 - beta2) * grad * grad;
      const mHat = m[i]! / correction1;
      const vHat = v[i]! / correction2;
      tau[i] = Math.min(TAU_MAX, Math.max(TAU_MIN, oldTau[i]! - (lrTau * mHat) / (Math.sqrt(vHat) + epsTau)));
    }
    return { u, tau, bound, oldTau, m, v, g };
  }

  private remoteSide(centred: tf.Tensor2D, oldTau: Float32Array, bound: Float32Array, mask: tf.Tensor2D, W: number): tf.Tensor1D {
    const shifted = tf.sub(tf.mul(centred, row(oldTau.map((t) => 1 / t))), row(bound));
    return tf.div(tf.sum(tf.mul(tf.exp(shifted), mask), 0), W) as tf.Tensor1D;
  }

  stateDict(): ObjectiveState { return this.state.stateDict(); }
  loadStateDict(state: ObjectiveState): void { this.state.loadStateDict(state); }
  dispose(): void { this.masks.dispose(); }
}

function column(v: Float32Array): tf.Tensor2D { return tf.tensor2d(v, [v.length, 1]); }
function row(v: Float32Array): tf.Tensor2D { return tf.tensor2d(v, [1, v.length]); }

function meanOf(a: Float32Array): number {
  let s = 0;
  for (const x of a) s += x;
  return s / a.length;
}
