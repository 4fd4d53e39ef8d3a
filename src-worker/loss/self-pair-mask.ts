/**
 * The 0/1 mask that removes each local sample's own pair from its row of the local-vs-global matrix
 * (row i, column offset + i), cached per shape as the reference paper's code caches it.
 */
import * as tf from '@tensorflow/tfjs';

export class SelfPairMasks {
  private readonly cache = new Map<string, tf.Tensor2D>();

  /** [b, n] ones with zeros at (i, offset + i). */
  get(b: number, n: number, offset: number): tf.Tensor2D {
    const key = `${b}x${n}@${offset}`;
    let m = this.cache.get(key);
    if (!m) {
      const data = new Float32Array(b * n).fill(1);
      for (let i = 0; i < b; i++) data[i * n + offset + i] = 0;
      m = tf.keep(tf.tensor2d(data, [b, n]));
      this.cache.set(key, m);
    }
    return m;
  }

  dispose(): void {
    for (const m of this.cache.values()) m.dispose();
    this.cache.clear();
  }
}
