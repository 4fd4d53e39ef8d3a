/**
 * Checks an objective's inputs before anything is computed or any state is touched, so that a wrong
 * call fails with a message naming the field instead of a shape error deep inside a kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { matrixShape } from './gather';
import type { ObjectiveStepInput } from './types';

export interface CheckedStepInput {
  e1: tf.Tensor2D;
  e2: tf.Tensor2D;
  /** θ as given (one value); turn it into a scalar with `asScalar` inside the caller's tidy. */
  theta: tf.Tensor;
  imageIndices: Int32Array;
  textIndices: Int32Array;
  b: number;
  d: number;
}

export function checkPair(a: tf.Tensor, b: tf.Tensor, nameA: string, nameB: string): [number, number] {
  const [ra, ca] = matrixShape(a, nameA);
  const [rb, cb] = matrixShape(b, nameB);
  if (ra !== rb || ca !== cb) throw new Error(`${nameA} [${ra}, ${ca}] and ${nameB} [${rb}, ${cb}] must have the same shape`);
  if (ra < 1) throw new Error(`${nameA}: the batch is empty`);
  return [ra, ca];
}

export function checkTheta(theta: tf.Tensor): tf.Tensor {
  if (!(theta instanceof tf.Tensor)) throw new TypeError('theta: expected the logit_scale parameter as a tensor');
  if (theta.size !== 1) throw new Error(`theta (the logit_scale parameter) must hold one value, got shape [${theta.shape.join(', ')}]`);
  return theta;
}

/** A rank-0 view of a one-value tensor; creates a tensor when reshaping, so call it inside a tidy. */
export function asScalar(t: tf.Tensor): tf.Scalar {
  return (t.rank === 0 ? t : tf.reshape(t, [])) as tf.Scalar;
}

function checkIndexArray(a: unknown, b: number, name: string): Int32Array {
  if (!(a instanceof Int32Array)) throw new TypeError(`${name}: expected an Int32Array of global sample indices`);
  if (a.length !== b) throw new Error(`${name}: ${a.length} indices for a batch of ${b} rows`);
  return a;
}

export function checkStepInput(input: ObjectiveStepInput): CheckedStepInput {
  const [b, d] = checkPair(input.imageFeatures, input.textFeatures, 'imageFeatures', 'textFeatures');
  const imageIndices = checkIndexArray(input.indices, b, 'indices');
  const textIndices = input.textIndices === undefined ? imageIndices : checkIndexArray(input.textIndices, b, 'textIndices');
  return {
    e1: input.imageFeatures as tf.Tensor2D,
    e2: input.textFeatures as tf.Tensor2D,
    theta: checkTheta(input.theta),
    imageIndices,
    textIndices,
    b,
    d,
  };
}
