/**
 * 2-D transposes on wasm without the power-of-two slowdown.
 *
 * The stock kernel writes the output column by column; when the input has a multiple of 64 rows (the
 * output's row stride), those writes alias the same cache sets. Text batches are batch × context rows,
 * usually a power of two: measured on x86, [2048, 256] took 3.7 ms where [2176, 256] took 0.9 ms, and
 * [4096, 512] 14 ms against 2.1 ms for [4160, 512]. For such shapes the input is copied into a buffer
 * with a few extra rows, transposed by the stock kernel (its output rows are then not a multiple of 64
 * apart), and the rows are copied back without the padding. Everything else goes to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';

interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
  disposeData(dataId: object): void;
}

const PAD_ROWS = 16;

/** [rows, cols] when `perm` on `shape` is a plain matrix transpose once size-1 dimensions are dropped. */
export function asMatrixTranspose(shape: readonly number[], perm: readonly number[]): [number, number] | null {
  const kept = perm.filter((axis) => shape[axis] !== 1);
  const dims = shape.filter((d) => d !== 1);
  if (dims.length !== 2 || kept.length !== 2) return null;
  return kept[0]! > kept[1]! ? [dims[0]!, dims[1]!] : null;
}

let installed = false;

export function installWasmPaddedTranspose(): void {
  if (installed) return;
  const stock = tf.getKernel('Transpose', 'wasm');
  if (!stock) throw new Error('wasm backend kernels are not registered; import @tensorflow/tfjs-backend-wasm first');
  const kernelFunc: tf.KernelFunc = (args) => {
    const { x } = args.inputs as unknown as { x: tf.TensorInfo };
    const { perm } = args.attrs as unknown as { perm: number[] };
    const matrix = x.dtype === 'float32' || x.dtype === 'int32' ? asMatrixTranspose(x.shape, perm) : null;
    if (!matrix || matrix[0] % 64 !== 0 || matrix[0] < 256) return stock.kernelFunc(args);
    const [rows, cols] = matrix;
    const be = args.backend as unknown as WasmHeapBackend;
    const padded = be.makeOutput([rows + PAD_ROWS, cols], x.dtype);
    const paddedView = be.typedArrayFromHeap(padded);
    paddedView.set(be.typedArrayFromHeap(x));
    paddedView.fill(0, rows * cols);
    const transposed = stock.kernelFunc({ inputs: { x: padded }, backend: args.backend, attrs: { perm: [1, 0] } }) as tf.TensorInfo;
    const outShape = perm.map((axis) => x.shape[axis]!);
    const out = be.makeOutput(outShape, x.dtype);
    // Views after the last allocation: growing the heap detaches older ones.
    const src = be.typedArrayFromHeap(transposed);
    const dst = be.typedArrayFromHeap(out);
    const stride = rows + PAD_ROWS;
    for (let c = 0; c < cols; c++) dst.set(src.subarray(c * stride, c * stride + rows), c * rows);
    be.disposeData(padded.dataId);
    be.disposeData(transposed.dataId);
    return out;
  };
  tf.unregisterKernel('Transpose', 'wasm');
  tf.registerKernel({ ...stock, kernelFunc });
  installed = true;
}
