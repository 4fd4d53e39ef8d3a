/**
 * Sums over leading axes (per-column sums, e.g. the gradient of a bias or a LayerNorm gain: [rows, n] →
 * [n]) on wasm, as one sequential pass in JavaScript.
 *
 * The stock kernel only reduces innermost axes, so it first transposes the whole input, which for
 * power-of-two row counts is also the slow case of the wasm transpose ([2048, 64]: 0.9 ms, against
 * about 0.15 ms for a sequential pass). Accumulates in float64. Other reductions go to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';

interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}

/** out[j] = Σ_i x[i·n + j] over `rows` rows. */
export function sumLeadingRows(x: ArrayLike<number>, rows: number, n: number, out: { [j: number]: number }): void {
  const acc = new Float64Array(n);
  for (let i = 0; i < rows; i++) {
    const base = i * n;
    for (let j = 0; j < n; j++) acc[j]! += x[base + j]!;
  }
  for (let j = 0; j < n; j++) out[j] = acc[j]!;
}

let installed = false;

export function installWasmLeadingAxisSum(): void {
  if (installed) return;
  const stock = tf.getKernel('Sum', 'wasm');
  if (!stock) throw new Error('wasm backend kernels are not registered; import @tensorflow/tfjs-backend-wasm first');
  const kernelFunc: tf.KernelFunc = (args) => {
    const { x } = args.inputs as unknown as { x: tf.TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const rank = x.shape.length;
    if (x.dtype !== 'float32' || rank < 2) return stock.kernelFunc(args);
    const axes = [...new Set(tf.util.parseAxisParam(axis, x.shape))].sort((a, b) => a - b);
    const leading = axes.length < rank && axes.every((a, i) => a === i);
    if (!leading) return stock.kernelFunc(args);
    const rows = x.shape.slice(0, axes.length).reduce((a, b) => a * b, 1);
    const kept = x.shape.slice(axes.length);
    const n = kept.reduce((a, b) => a * b, 1);
    const be = args.backend as unknown as WasmHeapBackend;
    const out = be.makeOutput(keepDims ? [...axes.map(() => 1), ...kept] : kept, 'float32');
    sumLeadingRows(be.typedArrayFromHeap(x), rows, n, be.typedArrayFromHeap(out));
    return out;
  };
  tf.unregisterKernel('Sum', 'wasm');
  tf.registerKernel({ ...stock, kernelFunc });
  installed = true;
}
