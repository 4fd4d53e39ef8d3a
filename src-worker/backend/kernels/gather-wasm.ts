/**
 * GatherV2 along axis 0 (row lookup) for the wasm backend, as one contiguous copy per index.
 *
 * The stock kernel computes every output element through generic stride arithmetic; for the token
 * embedding lookup of a training step ([1024, 64] table, 2048 ids) that took 7.5 ms of CPU, against
 * well under 1 ms for row copies. Other axes and batch dims go to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';

interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}

let installed = false;

export function installWasmRowGather(): void {
  if (installed) return;
  const original = tf.getKernel('GatherV2', 'wasm');
  if (!original) throw new Error('wasm backend kernels are not registered; import @tensorflow/tfjs-backend-wasm first');
  const kernelFunc: tf.KernelFunc = (args) => {
    const { x, indices } = args.inputs as unknown as { x: tf.TensorInfo; indices: tf.TensorInfo };
    const { axis, batchDims } = args.attrs as unknown as { axis: number; batchDims: number };
    const rowAxis = axis === 0 || axis === -x.shape.length;
    if (!rowAxis || (batchDims ?? 0) !== 0 || x.shape.length === 0 || (x.dtype !== 'float32' && x.dtype !== 'int32')) {
      return original.kernelFunc(args);
    }
    const be = args.backend as unknown as WasmHeapBackend;
    const rows = x.shape[0]!;
    const inner = x.shape.slice(1).reduce((a, b) => a * b, 1);
    const out = be.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
    const ids = be.typedArrayFromHeap(indices);
    const src = be.typedArrayFromHeap(x);
    const dst = be.typedArrayFromHeap(out);
    for (let i = 0; i < ids.length; i++) {
      const r = ids[i]!;
      if (!(r >= 0 && r < rows)) throw new Error(`GatherV2: the index value ${r} is not in [0, ${rows - 1}]`);
      dst.set(src.subarray(r * inner, (r + 1) * inner), i * inner);
    }
    return out;
  };
  tf.unregisterKernel('GatherV2', 'wasm');
  tf.registerKernel({ ...original, kernelFunc });
  installed = true;
}
