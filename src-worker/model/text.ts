/**
 * The causal text tower (open_clip CLIP text fields): token + positional embedding, blocks with a causal
 * mask, ln_final, the row of the end-of-text token (the largest id in each sequence), then
 * `text_projection`.
 */
import * as tf from '@tensorflow/tfjs';
import type { ClipConfig } from './config';
import { need, pooledTransformer, type TensorMap } from './layers';
import { layerNorm } from './ops';

const maskCache = new Map<number, Float32Array>();

/** Additive causal mask [t, t]: 0 on and below the diagonal, a large negative above it (exp → exactly 0). */
export function causalMaskValues(t: number): Float32Array {
  let m = maskCache.get(t);
  if (!m) {
    m = new Float32Array(t * t);
    for (let i = 0; i < t; i++) for (let j = i + 1; j < t; j++) m[i * t + j] = -1e9;
    maskCache.set(t, m);
  }
  return m;
}

function checkTokens(tokens: tf.Tensor, cfg: ClipConfig): void {
  const ctx = cfg.text.contextLength;
  if (tokens.rank !== 2 || tokens.shape[1]! > ctx || tokens.shape[1]! < 1) {
    throw new Error(`tokens: expected shape [batch, ≤${ctx}] for model ${cfg.name}, got [${tokens.shape.join(', ')}]`);
  }
  if (tokens.dtype !== 'int32') throw new Error(`tokens: expected int32 token ids, got ${tokens.dtype}`);
}

/** Text features [batch, embed_dim], not normalised. `tokens`: int32 [batch, ≤context_length]. */
export function encodeText(params: TensorMap, cfg: ClipConfig, tokens: tf.Tensor2D): tf.Tensor2D {
  checkTokens(tokens, cfg);
  const tc = cfg.text;
  return tf.tidy(() => {
    const [b, t] = tokens.shape;
    const posAll = need(params, 'positional_embedding');
    const pos = t === tc.contextLength ? posAll : tf.slice(posAll, [0, 0], [t, tc.width]);
    const embedded = tf.gather(need(params, 'token_embedding.weight'), tf.reshape(tokens, [b * t]));
    const x = tf.reshape(tf.add(tf.reshape(embedded, [b, t, tc.width]), pos), [b * t, tc.width]) as tf.Tensor2D;
    const mask = tf.tensor2d(causalMaskValues(t), [t, t]);
    const shape = { batch: b, tokens: t, width: tc.width, heads: tc.heads };
    // The end-of-text token has the largest id; its row is the sequence's feature. In the last block it
    // attends to positions up to its own (the causal mask's row for it).
    const eot = tf.argMax(tokens, 1) as tf.Tensor1D;
    const rows = tf.add(eot, tf.mul(tf.range(0, b, 1, 'int32'), tf.scalar(t, 'int32'))) as tf.Tensor1D;
    const later = tf.greater(tf.range(0, t, 1, 'int32').reshape([1, t]), tf.reshape(eot, [b, 1]));
    const keyMask = tf.mul(tf.cast(later, 'float32'), -1e9);
    const pooled = pooledTransformer(x, params, 'transformer', tc.layers, shape, mask, { rows, keyMask }, cfg.quickGelu);
    // ln_final is per row, so applying it to the end-of-text rows only gives open_clip's result.
    const normed = layerNorm(pooled, need(params, 'ln_final.weight'), need(params, 'ln_final.bias'));
    return tf.matMul(normed, need(params, 'text_projection') as tf.Tensor2D);
  });
}
