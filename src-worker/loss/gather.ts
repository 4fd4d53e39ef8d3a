/**
 * All-gathers without gradient, as FastCLIP and open_clip's `local_loss` do: the gathered copy is a
 * constant (the rank's own slice included), while the caller keeps its local rows differentiable.
 * Several tensors travel in one collective, as the reference paper's code stacks them before its all_gather.
 */
import * as tf from '@tensorflow/tfjs';
import type { Communicator } from '../dist/communicator';

/** Checks that a tensor is a [rows, cols] matrix and returns its shape. */
export function matrixShape(t: tf.Tensor, name: string): [number, number] {
  if (t.rank !== 2) throw new Error(`${name}: expected a [batch, dim] matrix, got shape [${t.shape.join(', ')}]`);
  return [t.shape[0]!, t.shape[1]!];
}

/**
 * Gathers same-shaped [b, d] tensors from every rank in one call. Returns, for each input, a constant
 * [K·b, d] tensor in rank-major order (rows of rank k start at k·b).
 */
export function allGatherRows(comm: Communicator, tensors: readonly tf.Tensor[]): tf.Tensor2D[] {
  if (tensors.length === 0) return [];
  const [b, d] = matrixShape(tensors[0]!, 'features');
  for (const t of tensors) {
    const [bt, dt] = matrixShape(t, 'features');
    if (bt !== b || dt !== d) throw new Error(`features to gather differ in shape: [${b}, ${d}] and [${bt}, ${dt}]`);
  }
  const block = b * d;
  const local = new Float32Array(block * tensors.length);
  tensors.forEach((t, i) => local.set(t.dataSync() as Float32Array, i * block));
  const all = allGatherChecked(comm, local);
  const K = comm.worldSize;
  return tensors.map((_, i) => {
    const out = new Float32Array(K * block);
    for (let k = 0; k < K; k++) {
      const start = k * local.length + i * block;
      out.set(all.subarray(start, start + block), k * block);
    }
    return tf.tensor2d(out, [K * b, d]);
  });
}

/** allGather with the length check every caller needs (every rank must send as much as this one). */
export function allGatherChecked(comm: Communicator, local: Float32Array): Float32Array {
  const all = comm.allGather(local);
  if (all.length !== local.length * comm.worldSize) {
    throw new Error(`all-gather returned ${all.length} values, expected ${comm.worldSize} x ${local.length}: ranks disagree on the batch size`);
  }
  return all;
}

export function allGatherIntChecked(comm: Communicator, local: Int32Array): Int32Array {
  const all = comm.allGatherInt(local);
  if (all.length !== local.length * comm.worldSize) {
    throw new Error(`all-gather returned ${all.length} indices, expected ${comm.worldSize} x ${local.length}: ranks disagree on the batch size`);
  }
  return all;
}

/**
 * Splits a gathered array of per-rank blocks [part0(b), part1(b), ...] into one global array per part,
 * each rank-major: the inverse of sending `concat(parts)` from every rank.
 */
export function splitGathered<T extends Float32Array | Int32Array>(all: T, parts: number, b: number, make: (n: number) => T): T[] {
  const K = all.length / (parts * b);
  const out: T[] = [];
  for (let p = 0; p < parts; p++) {
    const g = make(K * b);
    for (let k = 0; k < K; k++) {
      const start = (k * parts + p) * b;
      g.set(all.subarray(start, start + b) as ArrayLike<number>, k * b);
    }
    out.push(g);
  }
  return out;
}

export function concatFloat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

export function concatInt(...parts: Int32Array[]): Int32Array {
  const out = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
