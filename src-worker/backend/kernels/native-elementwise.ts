/**
 * Exp, Erf and Transpose on the wasm backend through the native addon, in place on the wasm heap.
 *
 * wasm's Exp and Erf are scalar (about 7 and 10 ns per element here); the addon runs glibc's vectorised
 * expf/erff. Transposes (attention heads, the weight-gradient products) become memcpy runs or 32x32-tiled
 * 2-D transposes. Sums over leading axes (bias and gain gradients) or trailing axes (row sums) are one
 * vectorised pass with double accumulators. Dtypes, ranks or axes these do not cover go to the kernels
 * installed before them.
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeBlas } from '../native-blas';
import { hasHeap } from './wasm-heap';


const MAX_RANK = 8;

/**
 * The same transpose on fewer axes: size-1 axes dropped, and input axes that stay next to each other in
 * the output merged. Returns the input's simplified shape and the permutation over it.
 */
export function simplifyTranspose(shape: readonly number[], perm: readonly number[]): { shape: number[]; perm: number[] } {
  const keptAxes = perm.filter((a) => shape[a] !== 1);
  // Runs of consecutive input axes, in output order.
  const runs: number[][] = [];
  for (const a of keptAxes) {
    const last = runs.at(-1);
    if (last && last.at(-1)! + 1 === a) last.push(a);
    else runs.push([a]);
  }
  // Order runs by their first input axis to number the merged input axes.
  const byInput = [...runs].sort((x, y) => x[0]! - y[0]!);
  const newShape = byInput.map((r) => r.reduce((p, a) => p * shape[a]!, 1));
  const newPerm = runs.map((r) => byInput.indexOf(r));
  return { shape: newShape, perm: newPerm };
}

let installed = false;

export function installNativeElementwise(blas: NativeBlas): void {
  if (installed) return;
  for (const [name, op] of [['Exp', 0], ['Erf', 1]] as const) {
    const previous = tf.getKernel(name, 'wasm');
    if (!previous) throw new Error(`wasm backend kernel ${name} is not registered; import @tensorflow/tfjs-backend-wasm first`);
    const kernelFunc: tf.KernelFunc = (args) => {
      const { x } = args.inputs as unknown as { x: tf.TensorInfo };
      const be = args.backend;
      if (!hasHeap(be) || x.dtype !== 'float32') return previous.kernelFunc(args);
      const out = be.makeOutput([...x.shape], 'float32');
      const n = x.shape.reduce((p, d) => p * d, 1);
      if (n > 0) blas.unary(be.wasm.HEAPU8.buffer as ArrayBuffer, op, be.dataIdMap.get(x.dataId)!.memoryOffset, be.dataIdMap.get(out.dataId)!.memoryOffset, n);
      return out;
    };
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ ...previous, kernelFunc });
  }

  const previousSum = tf.getKernel('Sum', 'wasm');
  if (!previousSum) throw new Error('wasm backend kernel Sum is not registered; import @tensorflow/tfjs-backend-wasm first');
  const sumFunc: tf.KernelFunc = (args) => {
    const { x } = args.inputs as unknown as { x: tf.TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const be = args.backend;
    const rank = x.shape.length;
    if (!hasHeap(be) || x.dtype !== 'float32' || rank < 1) return previousSum.kernelFunc(args);
    const axes = [...new Set(tf.util.parseAxisParam(axis, x.shape))].sort((p, q) => p - q);
    if (axes.length === 0) return previousSum.kernelFunc(args);
    const leading = axes.length < rank && axes.every((a, i) => a === i);
    const trailing = axes.every((a, i) => a === rank - axes.length + i);
    if (!leading && !trailing) return previousSum.kernelFunc(args);
    const split = leading ? axes.length : rank - axes.length;
    const rows = x.shape.slice(0, split).reduce((p, d) => p * d, 1);
    const n = x.shape.slice(split).reduce((p, d) => p * d, 1);
    const kept = x.shape.filter((_, i) => !axes.includes(i));
    const outShape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : kept;
    const out = be.makeOutput(outShape, 'float32');
    blas.sum(be.wasm.HEAPU8.buffer as ArrayBuffer, be.dataIdMap.get(x.dataId)!.memoryOffset, be.dataIdMap.get(out.dataId)!.memoryOffset, rows, n, leading);
    return out;
  };
  tf.unregisterKernel('Sum', 'wasm');
  tf.registerKernel({ ...previousSum, kernelFunc: sumFunc });

  const previousTranspose = tf.getKernel('Transpose', 'wasm');
  if (!previousTranspose) throw new Error('wasm backend kernel Transpose is not registered; import @tensorflow/tfjs-backend-wasm first');
  const transposeFunc: tf.KernelFunc = (args) => {
    const { x } = args.inputs as unknown as { x: tf.TensorInfo };
    const { perm } = args.attrs as unknown as { perm: number[] };
    const be = args.backend;
    if (!hasHeap(be) || (x.dtype !== 'float32' && x.dtype !== 'int32') || perm.length !== x.shape.length || perm.length > MAX_RANK) {
      return previousTranspose.kernelFunc(args);
    }
    const out = be.makeOutput(perm.map((a) => x.shape[a]!), x.dtype);
    const s = simplifyTranspose(x.shape, perm);
    blas.transpose(be.wasm.HEAPU8.buffer as ArrayBuffer, be.dataIdMap.get(x.dataId)!.memoryOffset, be.dataIdMap.get(out.dataId)!.memoryOffset, s.shape, s.perm);
    return out;
  };
  tf.unregisterKernel('Transpose', 'wasm');
  tf.registerKernel({ ...previousTranspose, kernelFunc: transposeFunc });
  installed = true;
}
