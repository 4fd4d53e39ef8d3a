/**
 * The ViT image tower (open_clip VisionTransformer): patch embedding, class token, positional embedding,
 * ln_pre, pre-norm blocks, ln_post on the class token, then `proj`.
 */
import * as tf from '@tensorflow/tfjs';
import type { ClipConfig } from './config';
import { need, pooledTransformer, type TensorMap } from './layers';
import { layerNorm } from './ops';

/**
 * The stride-p convolution as patchify + one matMul. NHWC pixels are cut into rows of (ky, kx, c) with
 * one rank-4 transpose, [b·g, p, g, p·3] → [b·g, g, p, p·3] (the obvious rank-6 permutation may not
 * exist on wasm, and higher ranks are slower); the PyTorch weight [width, c, ky, kx] is permuted to the
 * same (ky, kx, c) order instead, which is cheap because it is weight-sized.
 */
export function patchEmbed(images: tf.Tensor4D, conv1Weight: tf.Tensor, patch: number, grid: number): tf.Tensor2D {
  const b = images.shape[0];
  const width = conv1Weight.shape[0]!;
  const rows = tf.reshape(tf.transpose(tf.reshape(images, [b * grid, patch, grid, patch * 3]), [0, 2, 1, 3]), [b * grid * grid, patch * patch * 3]);
  const kernel = tf.reshape(tf.transpose(conv1Weight, [0, 2, 3, 1]), [width, patch * patch * 3]);
  return tf.matMul(rows as tf.Tensor2D, kernel as tf.Tensor2D, false, true);
}

function checkImages(images: tf.Tensor, cfg: ClipConfig): void {
  const s = cfg.vision.imageSize;
  const [, h, w, c] = images.shape;
  if (images.rank !== 4 || h !== s || w !== s || c !== 3) {
    throw new Error(`images: expected shape [batch, ${s}, ${s}, 3] (NHWC, normalised) for model ${cfg.name}, got [${images.shape.join(', ')}]`);
  }
  if (images.dtype !== 'float32') throw new Error(`images: expected float32, got ${images.dtype}`);
}

/** Image features [batch, embed_dim], not normalised. `images`: NHWC [batch, size, size, 3], normalised. */
export function encodeImage(params: TensorMap, cfg: ClipConfig, images: tf.Tensor4D): tf.Tensor2D {
  checkImages(images, cfg);
  const v = cfg.vision;
  return tf.tidy(() => {
    const p = (n: string) => need(params, `visual.${n}`);
    const b = images.shape[0];
    const tokens = v.gridSize * v.gridSize + 1;
    const patches = tf.reshape(patchEmbed(images, p('conv1.weight'), v.patchSize, v.gridSize), [b, tokens - 1, v.width]);
    // class token + its positional embedding = a zero row + (positional embedding with the class
    // embedding added to row 0): the same sum, without broadcasting the class embedding over the batch
    // (whose gradient tfjs computes as one slice and add per sample).
    const classRow = tf.pad(tf.reshape(p('class_embedding'), [1, v.width]), [[0, tokens - 1], [0, 0]]);
    const positions = tf.add(p('positional_embedding'), classRow);
    const embedded = tf.add(tf.concat([tf.zeros([b, 1, v.width]), patches], 1), positions);
    const x = layerNorm(tf.reshape(embedded, [b * tokens, v.width]) as tf.Tensor2D, p('ln_pre.weight'), p('ln_pre.bias'));
    const shape = { batch: b, tokens, width: v.width, heads: v.heads };
    // the class token is row 0 of each sample
    const pooling = { rows: tf.mul(tf.range(0, b, 1, 'int32'), tf.scalar(tokens, 'int32')) as tf.Tensor1D, keyMask: null };
    const cls = pooledTransformer(x, params, 'visual.transformer', v.layers, shape, null, pooling, cfg.quickGelu);
    return tf.matMul(layerNorm(cls, p('ln_post.weight'), p('ln_post.bias')), p('proj') as tf.Tensor2D);
  });
}
