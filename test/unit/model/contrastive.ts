/** A plain symmetric InfoNCE (CLIP's mini-batch loss), for tests and the model benchmark only. */
import * as tf from '@tensorflow/tfjs';
import type { ClipOutputs } from '../../../src-worker/model/clip';

export function symmetricInfoNce(out: ClipOutputs): tf.Scalar {
  return tf.tidy(() => {
    const n = out.imageFeatures.shape[0];
    const logits = tf.mul(tf.matMul(out.imageFeatures, out.textFeatures, false, true), out.logitScale);
    const eye = tf.eye(n);
    const diag = (l: tf.Tensor) => tf.div(tf.sum(tf.mul(tf.logSoftmax(l as tf.Tensor2D), eye)), -n);
    return tf.div(tf.add(diag(logits), diag(tf.transpose(logits))), 2) as tf.Scalar;
  });
}
