/**
 * Slice for the wasm backend without the hidden full copy.
 *
 * The stock wasm Slice is JavaScript that starts with `backend.readSync(x)`, which copies the whole input
 * out of the wasm heap before taking the slice. tf.split is one Slice per part, so splitting attention's
 * packed q/k/v copied the packed tensor three times. This version reads through a view of the heap and
 * copies only the selected runs (the innermost dimension is contiguous in both input and output).
 * SplitV, which is built on the same slice function, is replaced as well.
 */
import * as tf from '@tensorflow/tfjs';

interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}

/** Copies the block [begin, begin + size) of a row-major array of `shape` into `out`. */
export function sliceInto(
  x: tf.backend_util.TypedArray, shape: readonly number[], begin: readonly number[], size: readonly number[], out: tf.backend_util.TypedArray,
): void {
  const rank = shape.length;
  if (rank === 0) { out[0] = x[0]!; return; }
  const strides = new Array<number>(rank).fill(1);
  for (let d = rank - 2; d >= 0; d--) strides[d] = strides[d + 1]! * shape[d + 1]!;
  const run = size[rank - 1]!;
  const runs = size.slice(0, -1).reduce((a, b) => a * b, 1);
  if (run === 0 || runs === 0) return;
  const index = new Array<number>(Math.max(rank - 1, 0)).fill(0);
  let outOffset = 0;
  for (let r = 0; r < runs; r++) {
    let src = begin[rank - 1]!;
    for (let d = 0; d < rank - 1; d++) src += (begin[d]! + index[d]!) * strides[d]!;
    out.set(x.subarray(src, src + run), outOffset);
    outOffset += run;
    for (let d = rank - 2; d >= 0; d--) {
      if (++index[d]! < size[d]!) break;
      index[d] = 0;
    }
  }
}

let installed = false;

export function installWasmHeapSlice(): void {
  if (installed) return;
  const original = tf.getKernel('Slice', 'wasm');
  if (!original) throw new Error('wasm backend kernels are not registered; import @tensorflow/tfjs-backend-wasm first');
  const kernelFunc: tf.KernelFunc = (args) => {
    const { x } = args.inputs as unknown as { x: tf.TensorInfo };
    if (x.dtype === 'string' || x.dtype === 'complex64') return original.kernelFunc(args);
    const { begin, size } = args.attrs as unknown as { begin: number | number[]; size: number | number[] };
    const [b, s] = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, begin, size) as [number[], number[]];
    const be = args.backend as unknown as WasmHeapBackend;
    const out = be.makeOutput(s, x.dtype);
    // Views are taken after makeOutput: allocating may grow the heap and detach older views.
    sliceInto(be.typedArrayFromHeap(x), x.shape, b, s, be.typedArrayFromHeap(out));
    return out;
  };
  tf.unregisterKernel('Slice', 'wasm');
  tf.registerKernel({ ...original, kernelFunc });

  // The stock SplitV calls the stock slice function directly, so it is replaced too.
  const split = tf.getKernel('SplitV', 'wasm');
  if (!split) throw new Error('wasm backend kernels are not registered; import @tensorflow/tfjs-backend-wasm first');
  const splitFunc: tf.KernelFunc = (args) => {
    const { x } = args.inputs as unknown as { x: tf.TensorInfo };
    if (x.dtype === 'string' || x.dtype === 'complex64') return split.kernelFunc(args);
    const { numOrSizeSplits, axis } = args.attrs as unknown as { numOrSizeSplits: number | number[]; axis: number };
    const ax = tf.util.parseAxisParam(axis, x.shape)[0]!;
    const sizes = tf.backend_util.prepareSplitSize(x as unknown as tf.Tensor, numOrSizeSplits, ax);
    const be = args.backend as unknown as WasmHeapBackend;
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((n) => {
      const size = [...x.shape];
      size[ax] = n;
      const out = be.makeOutput(size, x.dtype);
      sliceInto(be.typedArrayFromHeap(x), x.shape, begin, size, be.typedArrayFromHeap(out));
      begin[ax]! += n;
      return out;
    });
  };
  tf.unregisterKernel('SplitV', 'wasm');
  tf.registerKernel({ ...split, kernelFunc: splitFunc });
  installed = true;
}
