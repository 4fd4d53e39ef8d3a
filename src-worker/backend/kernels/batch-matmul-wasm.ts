/**
 * BatchMatMul on wasm, with transposes done explicitly.
 *
 * The wasm backend's BatchMatMul handles `transposeA` / `transposeB` inside its inner loop with a strided
 * access pattern that runs 10-20x slower than a plain product (docs/design/dependencies.md#matmul-with-transpose-flags-is-slow:
 * 287 ms and 552 ms against 24 ms for a transpose followed by a plain product). Every gradient of a matMul uses those flags, so training
 * spends most of its time there. This kernel transposes the flagged operand with the (fast) Transpose
 * kernel and calls the original kernel without flags. Results are identical up to float summation order.
 */
import * as tf from '@tensorflow/tfjs';

type KernelArgs = Parameters<tf.KernelFunc>[0];
interface Disposer { disposeData(dataId: object): void }

let installed = false;

export function installWasmBatchMatMul(): void {
  if (installed) return;
  const original = tf.getKernel('BatchMatMul', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!original || !transpose) throw new Error('wasm backend kernels are not registered; import @tensorflow/tfjs-backend-wasm first');
  const originalFunc = original.kernelFunc;
  const transposeFunc = transpose.kernelFunc;

  const swapLastTwo = (info: tf.TensorInfo, args: KernelArgs): tf.TensorInfo => {
    const rank = info.shape.length;
    const perm = [...Array(rank).keys()];
    perm[rank - 2] = rank - 1;
    perm[rank - 1] = rank - 2;
    return transposeFunc({ inputs: { x: info }, backend: args.backend, attrs: { perm } }) as tf.TensorInfo;
  };

  const kernelFunc: tf.KernelFunc = (args) => {
    const attrs = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if (!attrs.transposeA && !attrs.transposeB) return originalFunc(args);
    const inputs = args.inputs as unknown as { a: tf.TensorInfo; b: tf.TensorInfo };
    const backend = args.backend as unknown as Disposer;
    const temps: tf.TensorInfo[] = [];
    let { a, b } = inputs;
    if (attrs.transposeA) { a = swapLastTwo(a, args); temps.push(a); }
    if (attrs.transposeB) { b = swapLastTwo(b, args); temps.push(b); }
    try {
      return originalFunc({
        inputs: { a, b } as unknown as tf.NamedTensorInfoMap,
        backend: args.backend,
        attrs: { ...args.attrs, transposeA: false, transposeB: false },
      });
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
  };

  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({ ...original, kernelFunc });
  installed = true;
}
