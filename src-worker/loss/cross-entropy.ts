/** Row-wise cross-entropies on logit matrices, shared by InfoNCE and the distillation losses. */
import * as tf from '@tensorflow/tfjs';

/** mean_i −log softmax(logits)_i,(offset+i): rows are local samples, their positives sit at offset + i. */
export function labelCrossEntropy(logits: tf.Tensor2D, offset: number): tf.Scalar {
  const [b, n] = logits.shape;
  const oneHot = new Float32Array(b * n);
  for (let i = 0; i < b; i++) oneHot[i * n + offset + i] = 1;
  return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), tf.tensor2d(oneHot, [b, n])), 1))) as tf.Scalar;
}

/** mean_i −Σ_j softmax(teacher)_ij · log softmax(student)_ij (open_clip's DistillClipLoss.dist_loss). */
export function softCrossEntropy(student: tf.Tensor2D, teacher: tf.Tensor2D): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(tf.softmax(teacher), tf.logSoftmax(student)), 1))) as tf.Scalar;
}

/**
 * KL(p_teacher ‖ p_student) summed over columns and divided by the number of rows (torch `kl_div`,
 * batchmean). log p_teacher comes from logSoftmax so that entries whose probability underflows to 0
 * contribute 0, as torch's xlogy does, instead of 0·(−∞).
 */
export function klDivergenceBatchMean(student: tf.Tensor2D, teacher: tf.Tensor2D): tf.Scalar {
  const logTeacher = tf.logSoftmax(teacher);
  const perEntry = tf.mul(tf.exp(logTeacher), tf.sub(logTeacher, tf.logSoftmax(student)));
  return tf.div(tf.sum(perEntry), student.shape[0]);
}
