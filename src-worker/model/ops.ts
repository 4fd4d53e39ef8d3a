/**
 * Linear, LayerNorm and the GELU activations with hand-written gradients (tf.customGrad).
 *
 * Why: tfjs differentiates the composite forms op by op, which means many more kernels in the backward
 * pass (each with its bookkeeping), copies of saved tensors, and broadcast gradients taken apart by
 * generic reductions. Here each layer's backward is a handful of kernels chosen for the wasm backend.
 *
 * The gradients are the textbook ones; test/unit/model checks them against tfjs autodiff of the plain
 * composites and against the cpu backend.
 */
import * as tf from '@tensorflow/tfjs';
import { transposedMatMulIsFree } from '../backend/select';

type Save = tf.GradSaveFunc;

const linearOp = tf.customGrad((...args: (tf.Tensor | Save)[]) => {
  const [x, w, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, Save];
  save([x, w]);
  return {
    value: tf.add(tf.matMul(x, w, false, true), b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      const g = dy as tf.Tensor2D;
      const [outDim, inDim] = ws.shape;
      const dx = tf.matMul(g, ws);
      // With the native BLAS matMul a transposed operand costs nothing: dW = dyᵀ·x directly.
      if (transposedMatMulIsFree()) return [dx, tf.matMul(g, xs, true, false), tf.sum(g, 0)];
      // dW = dyᵀ·x needs one activation transposed. Measured on wasm, the product is faster with the
      // wider dimension as the output's rows, so transpose dy when out ≥ in (its transpose then also
      // gives db as a fast innermost-axis sum), else x.
      if (outDim >= inDim) {
        const dyT = tf.transpose(g);
        return [dx, tf.matMul(dyT, xs), tf.sum(dyT, 1)];
      }
      return [dx, tf.transpose(tf.matMul(tf.transpose(xs), g)), tf.sum(g, 0)];
    },
  };
});

/** PyTorch Linear: x·Wᵀ + b, W in PyTorch's [out, in] layout. */
export function linear(x: tf.Tensor2D, weight: tf.Tensor, bias: tf.Tensor): tf.Tensor2D {
  return linearOp(x, weight, bias) as tf.Tensor2D;
}

const LN_EPS = 1e-5;

const layerNormOp = tf.customGrad((...args: (tf.Tensor | Save)[]) => {
  const [x, gain, bias, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, Save];
  const centred = tf.sub(x, tf.mean(x, -1, true));
  const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(centred), -1, true), LN_EPS));
  const normed = tf.mul(centred, rstd);
  save([normed, rstd, gain]);
  return {
    value: tf.add(tf.mul(normed, gain), bias),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [n, r, g] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
      const dy2 = dy as tf.Tensor2D;
      const dn = tf.mul(dy2, g);
      // dx = rstd · (dn − mean(dn) − n·mean(dn·n)), per row
      const dx = tf.mul(tf.sub(tf.sub(dn, tf.mean(dn, -1, true)), tf.mul(n, tf.mean(tf.mul(dn, n), -1, true))), r);
      return [dx, tf.sum(tf.mul(dy2, n), 0), tf.sum(dy2, 0)];
    },
  };
});

/** LayerNorm over the last axis, eps 1e-5 (PyTorch's default, which open_clip uses). */
export function layerNorm(x: tf.Tensor2D, weight: tf.Tensor, bias: tf.Tensor): tf.Tensor2D {
  return layerNormOp(x, weight, bias) as tf.Tensor2D;
}

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

const geluOp = tf.customGrad((...args: (tf.Tensor | Save)[]) => {
  const [x, save] = args as [tf.Tensor, Save];
  const cdf = tf.add(tf.mul(tf.erf(tf.mul(x, Math.SQRT1_2)), 0.5), 0.5);
  save([x, cdf]);
  return {
    value: tf.mul(x, cdf),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, c] = saved as [tf.Tensor, tf.Tensor];
      // d/dx x·Φ(x) = Φ(x) + x·φ(x), φ(x) = exp(−x²/2)/√(2π)
      const pdf = tf.exp(tf.mul(tf.square(xs), -0.5));
      return tf.mul(dy, tf.add(c, tf.mul(tf.mul(xs, INV_SQRT_2PI), pdf)));
    },
  };
});

const quickGeluOp = tf.customGrad((...args: (tf.Tensor | Save)[]) => {
  const [x, save] = args as [tf.Tensor, Save];
  const s = tf.sigmoid(tf.mul(x, 1.702));
  save([x, s]);
  return {
    value: tf.mul(x, s),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, sg] = saved as [tf.Tensor, tf.Tensor];
      // d/dx x·σ(ax) = σ + a·x·σ·(1 − σ)
      return tf.mul(dy, tf.add(sg, tf.mul(tf.mul(xs, 1.702), tf.mul(sg, tf.sub(1, sg)))));
    },
  };
});

/** Exact GELU x·Φ(x) (nn.GELU), or QuickGELU x·σ(1.702x) (OpenAI CLIP weights). */
export function activation<T extends tf.Tensor>(x: T, quickGelu: boolean): T {
  return (quickGelu ? quickGeluOp(x) : geluOp(x)) as T;
}
