/**
 * UnsortedSegmentSum for the wasm backend, which lacks it. It is the gradient of `gather`, so without it
 * a token-embedding lookup cannot be trained on wasm. Computed in JavaScript on the wasm heap: the op is
 * memory-bound and runs once per step on (batch x context) rows.
 */
import * as tf from '@tensorflow/tfjs';

interface WasmBackendLike {
  readSync(dataId: object): tf.backend_util.BackendValues;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}

export function unsortedSegmentSumValues(
  x: ArrayLike<number>, xShape: readonly number[], ids: ArrayLike<number>, numSegments: number, out: { [i: number]: number; length: number },
): void {
  const rows = ids.length;
  const inner = rows === 0 ? 0 : tf.util.sizeFromShape(xShape.slice(1));
  if (xShape[0] !== rows) throw new Error(`UnsortedSegmentSum: segmentIds has ${rows} entries but x has ${xShape[0]} rows`);
  for (let i = 0; i < out.length; i++) out[i] = 0;
  for (let r = 0; r < rows; r++) {
    const seg = ids[r]!;
    if (seg < 0 || seg >= numSegments) continue; // TensorFlow drops out-of-range ids
    const src = r * inner;
    const dst = seg * inner;
    for (let k = 0; k < inner; k++) out[dst + k] = (out[dst + k] ?? 0) + x[src + k]!;
  }
}

let installed = false;

export function installWasmUnsortedSegmentSum(): void {
  if (installed || tf.getKernel('UnsortedSegmentSum', 'wasm')) { installed = true; return; }
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, segmentIds } = inputs as unknown as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
      const { numSegments } = attrs as unknown as { numSegments: number };
      const be = backend as unknown as WasmBackendLike;
      if (segmentIds.shape.length !== 1) {
        throw new Error(`UnsortedSegmentSum on wasm supports 1-D segment ids, got shape [${segmentIds.shape}]`);
      }
      const outShape = [numSegments, ...x.shape.slice(1)];
      const out = be.makeOutput(outShape, x.dtype);
      const values = be.readSync(x.dataId) as tf.backend_util.TypedArray;
      const ids = be.readSync(segmentIds.dataId) as tf.backend_util.TypedArray;
      unsortedSegmentSumValues(values, x.shape, ids, numSegments, be.typedArrayFromHeap(out));
      return out;
    },
  });
  installed = true;
}
