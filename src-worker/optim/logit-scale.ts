/** After every optimiser step θ is clamped to [0, ln 100], i.e. τ ∈ [0.01, 1], as the reference paper's code does (docs/design/algorithms.md#temperature-clamp). */
import * as tf from '@tensorflow/tfjs';

export const LOGIT_SCALE_MAX = Math.log(100);

export function clampLogitScale(theta: tf.Variable, min = 0, max = LOGIT_SCALE_MAX): void {
  tf.tidy(() => theta.assign(tf.clipByValue(theta, min, max)));
}
