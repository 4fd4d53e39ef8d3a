/**
 * The moving-average estimate u of each sample's g (docs/design/algorithms.md#per-sample-state).
 *
 * u_new = (1 − γ)·u_old·r + γ·g, where r = exp(bound_old − bound_new) rescales u to a moved log-sum-exp
 * shift (v2) and is 1 otherwise. When γ < 1, an entry whose OLD u is < 1e-35, infinite or NaN (a sample
 * never seen) takes g directly. At γ = 1 the formula is applied literally, as in the reference paper's code: an infinite
 * old u then gives NaN.
 */
import { isUnseen } from './per-sample-state';

export function updateU(uOld: Float32Array, g: ArrayLike<number>, gamma: number, rescale?: ArrayLike<number>): Float32Array {
  const out = new Float32Array(uOld.length);
  for (let i = 0; i < uOld.length; i++) {
    const old = uOld[i]!;
    const gi = g[i]!;
    const carried = rescale ? old * rescale[i]! : old;
    out[i] = gamma < 1 && isUnseen(old) ? gi : (1 - gamma) * carried + gamma * gi;
  }
  return out;
}
