/**
 * BatchMatMul on the wasm backend through OpenBLAS (the native/blas addon), in place on the wasm heap.
 *
 * XNNPACK's wasm matmul is limited to 128-bit SIMD; OpenBLAS uses the CPU's AVX2/AVX-512 FMA. The addon
 * reads both operands and writes the output at their offsets in the wasm memory, so no tensor is copied,
 * and it takes transposed operands as they are (no Transpose kernel). One call covers a whole batch of
 * products, with a shared (batch-1) operand repeated. Float32 only; other dtypes and broadcasts that are
 * not "equal batches or one side 1" go to the kernel installed before this one.
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeBlas } from '../native-blas';
import { hasHeap } from './wasm-heap';


const size = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

let installed = false;

export function installNativeBatchMatMul(blas: NativeBlas): void {
  if (installed) return;
  const previous = tf.getKernel('BatchMatMul', 'wasm');
  if (!previous) throw new Error('wasm backend kernels are not registered; import @tensorflow/tfjs-backend-wasm first');
  const previousFunc = previous.kernelFunc;

  const kernelFunc: tf.KernelFunc = (args) => {
    const { a, b } = args.inputs as unknown as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const be = args.backend;
    if (!hasHeap(be) || a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return previousFunc(args);
    const ra = a.shape.length;
    const rb = b.shape.length;
    const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
    const k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
    const kb = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
    const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
    if (k !== kb) return previousFunc(args); // let the stock kernel report the mismatch
    const aOuter = a.shape.slice(0, -2);
    const bOuter = b.shape.slice(0, -2);
    let outer: number[];
    try {
      outer = tf.backend_util.assertAndGetBroadcastShape(aOuter, bOuter);
    } catch {
      return previousFunc(args);
    }
    const batch = size(outer);
    const batchA = size(aOuter);
    const batchB = size(bOuter);
    // Equal element counts mean equal dims (right-aligned), so item i of the output is item i of that operand.
    if ((batchA !== batch && batchA !== 1) || (batchB !== batch && batchB !== 1)) return previousFunc(args);
    const out = be.makeOutput([...outer, m, n], 'float32');
    if (batch === 0 || m === 0 || n === 0) return out;
    if (k === 0) {
      const o = be.dataIdMap.get(out.dataId)!.memoryOffset;
      be.wasm.HEAPU8.fill(0, o, o + 4 * batch * m * n);
      return out;
    }
    const aOff = be.dataIdMap.get(a.dataId)!.memoryOffset;
    const bOff = be.dataIdMap.get(b.dataId)!.memoryOffset;
    const oOff = be.dataIdMap.get(out.dataId)!.memoryOffset;
    // HEAPU8 is re-read after makeOutput: allocating may have grown (and replaced) the heap's buffer.
    blas.sgemm(be.wasm.HEAPU8.buffer as ArrayBuffer, transposeA, transposeB, m, n, k, aOff, bOff, oOff, batch,
      batchA === 1 ? 0 : m * k, batchB === 1 ? 0 : k * n, m * n);
    return out;
  };

  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({ ...previous, kernelFunc });
  installed = true;
}
