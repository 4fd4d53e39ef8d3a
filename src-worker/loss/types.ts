/**
 * What every training objective takes and gives back.
 *
 * An objective is called exactly once per step, synchronously, inside the function that
 * `tf.variableGrads` differentiates: its all-gathers are synchronous collectives, so the whole loss,
 * including the FastCLIP u update, runs under one gradient tape.
 */
import type * as tf from '@tensorflow/tfjs';

export interface ObjectiveStepInput {
  /** L2-normalised image features e1 [b, d] of this rank's rows (differentiable). */
  imageFeatures: tf.Tensor;
  /** L2-normalised text features e2 [b, d] (differentiable). */
  textFeatures: tf.Tensor;
  /**
   * The model's `logit_scale` parameter θ, a scalar (often a tf.Variable). The scale is s = exp(θ) and
   * the temperature τ = 1/s. Ignored by the individual-temperature scheme (v2).
   */
  theta: tf.Tensor;
  /** Global sample index of each local row (the webdataset JSON `key`), length b. */
  indices: Int32Array;
  /** Text-side indices where they differ from `indices` (the reference paper's code passes the same key twice). */
  textIndices?: Int32Array;
  /** Reference-model (teacher) features t1, t2 [b, d], L2-normalised; only when distilling. */
  teacherImageFeatures?: tf.Tensor;
  teacherTextFeatures?: tf.Tensor;
}

/** Per-sample state arrays by the reference paper's checkpoint names (u_im, u_tt, tau_im, ...), each of length data_size. */
export type ObjectiveState = Record<string, Float32Array>;

export type ObjectiveKind =
  | 'clip'
  | 'fastclip-v0'
  | 'fastclip-v1'
  | 'fastclip-v2'
  | 'fastclip-v3'
  // --fastclip with a temperature scheme the named versions do not cover (e.g. global_constant + multiply_tau).
  | 'fastclip-global';

export interface Objective {
  readonly kind: ObjectiveKind;
  /** False where the scheme freezes the model's logit scale (`constant` or `individual` in the scheme, docs/design/algorithms.md#which-objective-a-run-builds). */
  readonly logitScaleTrainable: boolean;
  /** Call at the start of every epoch (0-based) before its first step: sets γ and, for v2, the τ betas. */
  startEpoch(epoch: number): void;
  /**
   * Computes the loss of one step and updates the per-sample state as a side effect. Returns a scalar
   * tensor owned by the caller; every intermediate tensor is released (or kept by the gradient tape).
   */
  step(input: ObjectiveStepInput): tf.Scalar;
  /** Scalars of the last step, by TensorBoard name: contrastive_loss, loss, gamma, distill_loss, tau_mean... */
  readonly logs: Readonly<Record<string, number>>;
  /** The γ in force, or null for objectives without a u state (InfoNCE). */
  readonly gamma: number | null;
  /** Copies of the per-sample state for a checkpoint (empty for InfoNCE). */
  stateDict(): ObjectiveState;
  /** Restores the state of `stateDict()`; validates names and lengths, errors name the array. */
  loadStateDict(state: ObjectiveState): void;
  /** Releases cached constant tensors. */
  dispose(): void;
}
