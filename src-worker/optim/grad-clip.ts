/**
 * torch.nn.utils.clip_grad_norm_ over all gradients: total = ||all gradients||₂, then every gradient is
 * multiplied by min(1, max_norm / (total + 1e-6)). Replaces the entries of `grads` in place (disposing
 * the old tensors) and returns the norm before clipping.
 */
import * as tf from '@tensorflow/tfjs';

export function clipGradNorm(grads: Record<string, tf.Tensor>, maxNorm: number): number {
  if (!(maxNorm > 0)) throw new RangeError(`grad-clip-norm: must be > 0, got ${maxNorm}`);
  const keys = Object.keys(grads);
  if (keys.length === 0) return 0;
  const total = tf.tidy(() => Math.sqrt(tf.addN(keys.map((k) => tf.sum(tf.square(grads[k]!)))).dataSync()[0]!));
  const coef = Math.min(1, maxNorm / (total + 1e-6));
  if (coef < 1) {
    for (const k of keys) {
      const old = grads[k]!;
      grads[k] = tf.mul(old, coef);
      old.dispose();
    }
  }
  return total;
}

/**
 * The coefficient torch's clip_grad_norm_ would multiply every gradient by (1 when the norm is within
 * `maxNorm`), without touching the gradients: AdamW applies it as it reads them, so no scaled copies of
 * the gradients are made. Plain-value gradients (all-reduced) are read in place.
 */
export function clipCoefficient(grads: Readonly<Record<string, tf.Tensor | Float32Array>>, maxNorm: number): { norm: number; coefficient: number } {
  if (!(maxNorm > 0)) throw new RangeError(`grad-clip-norm: must be > 0, got ${maxNorm}`);
  let sq = 0;
  for (const g of Object.values(grads)) {
    if (g instanceof Float32Array) {
      for (let i = 0; i < g.length; i++) sq += g[i]! * g[i]!;
    } else {
      sq += tf.tidy(() => tf.sum(tf.square(g)).dataSync()[0]!);
    }
  }
  const norm = Math.sqrt(sq);
  return { norm, coefficient: Math.min(1, maxNorm / (norm + 1e-6)) };
}
