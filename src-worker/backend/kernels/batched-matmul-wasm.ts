/**
 * Batched matMul on wasm through XNNPACK, one call per batch item, on views of the operands.
 *
 * The wasm backend's C++ BatchMatMul uses XNNPACK only for a single, untransposed product; anything with
 * a batch dimension (attention: [batch·heads, tokens, tokens] × [batch·heads, tokens, head_width]) goes
 * to a scalar fallback loop at about 0.75 GMAC/s. Measured on 2-core x86: [256,65,65]×[256,65,32]
 * 40 ms → 10 ms, [768,197,64]×[768,64,197] (ViT-B/16 scores) 2.4 s → 0.36 s.
 *
 * Each item is registered with the wasm runtime as a tensor id pointing into the operand's memory (no
 * copy), multiplied with the stock single-product path, and unregistered (which also drops the XNNPACK
 * operator cached for it; the memory stays owned by the real tensor). Transposed operands are transposed
 * first with the Transpose kernel. Shapes or broadcasts this does not cover go to the kernel installed
 * before it.
 *
 * This relies on internals of @tensorflow/tfjs-backend-wasm 4.22 (the module's `cwrap`,
 * `tfjs.registerTensor` / `tfjs.disposeData`, the backend's `dataIdMap` and `dataIdNextNumber`); when
 * they are absent it falls back to the previous kernel.
 */
import * as tf from '@tensorflow/tfjs';

type CFunction = (...args: unknown[]) => void;

interface WasmInternals {
  wasm: {
    cwrap(name: string, returnType: null, argTypes: string[]): CFunction;
    tfjs: { registerTensor(id: number, size: number, memoryOffset: number): void; disposeData(id: number): void };
  };
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } | undefined };
  dataIdNextNumber: number;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: object): void;
}

function hasInternals(b: unknown): b is WasmInternals {
  const x = b as Partial<WasmInternals> | undefined;
  return typeof x?.wasm?.cwrap === 'function' && typeof x.wasm.tfjs?.registerTensor === 'function' &&
    typeof x.wasm.tfjs.disposeData === 'function' && typeof x.dataIdMap?.get === 'function' && typeof x.dataIdNextNumber === 'number';
}

const size = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);
const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);
const shapeBytes = (shape: number[]): Uint8Array => new Uint8Array(new Int32Array(shape).buffer);

let installed = false;

export function installWasmBatchedMatMul(): void {
  if (installed) return;
  const previous = tf.getKernel('BatchMatMul', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!previous || !transpose) throw new Error('wasm backend kernels are not registered; import @tensorflow/tfjs-backend-wasm first');
  const previousFunc = previous.kernelFunc;
  let singleProduct: CFunction | undefined;

  const kernelFunc: tf.KernelFunc = (args) => {
    const { a, b } = args.inputs as unknown as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const be = args.backend;
    if (!hasInternals(be) || a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 3 || b.shape.length < 3) {
      return previousFunc(args);
    }
    const aOuter = a.shape.slice(0, -2);
    const bOuter = b.shape.slice(0, -2);
    const batchA = size(aOuter);
    const batchB = size(bOuter);
    const broadcastOk = (batchA === batchB && sameShape(aOuter, bOuter)) || batchA === 1 || batchB === 1;
    if (Math.max(batchA, batchB) <= 1 || !broadcastOk || size(a.shape) === 0 || size(b.shape) === 0) return previousFunc(args);

    const temps: tf.TensorInfo[] = [];
    const swapLastTwo = (x: tf.TensorInfo): tf.TensorInfo => {
      const perm = [...Array(x.shape.length).keys()];
      perm[perm.length - 2] = perm.length - 1;
      perm[perm.length - 1] = perm.length - 2;
      const t = transpose.kernelFunc({ inputs: { x }, backend: be, attrs: { perm } }) as tf.TensorInfo;
      temps.push(t);
      return t;
    };
    try {
      const left = transposeA ? swapLastTwo(a) : a;
      const right = transposeB ? swapLastTwo(b) : b;
      const m = left.shape[left.shape.length - 2]!;
      const k = left.shape[left.shape.length - 1]!;
      const n = right.shape[right.shape.length - 1]!;
      if (right.shape[right.shape.length - 2] !== k) return previousFunc(args); // let the stock kernel report it
      const outerShape = batchA >= batchB ? aOuter : bOuter;
      const batch = Math.max(batchA, batchB);
      const out = be.makeOutput([...outerShape, m, n], 'float32');
      singleProduct ??= be.wasm.cwrap('BatchMatMul', null, ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']);
      const leftData = be.dataIdMap.get(left.dataId)!;
      const rightData = be.dataIdMap.get(right.dataId)!;
      const outData = be.dataIdMap.get(out.dataId)!;
      const aShape = shapeBytes([1, m, k]);
      const bShape = shapeBytes([1, k, n]);
      const view = (offset: number, count: number): number => {
        const id = be.dataIdNextNumber++;
        be.wasm.tfjs.registerTensor(id, count, offset);
        return id;
      };
      for (let i = 0; i < batch; i++) {
        // A shared (batch-1) operand keeps its own id, so XNNPACK packs it once for all items.
        const aId = batchA === 1 ? leftData.id : view(leftData.memoryOffset + i * m * k * 4, m * k);
        const bId = batchB === 1 ? rightData.id : view(rightData.memoryOffset + i * k * n * 4, k * n);
        const oId = view(outData.memoryOffset + i * m * n * 4, m * n);
        singleProduct(aId, aShape, 3, bId, bShape, 3, false, false, oId);
        if (batchA !== 1) be.wasm.tfjs.disposeData(aId);
        if (batchB !== 1) be.wasm.tfjs.disposeData(bId);
        be.wasm.tfjs.disposeData(oId);
      }
      return out;
    } finally {
      for (const t of temps) be.disposeData(t.dataId);
    }
  };

  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({ ...previous, kernelFunc });
  installed = true;
}
