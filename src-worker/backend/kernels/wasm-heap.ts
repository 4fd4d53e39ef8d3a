/** The parts of tfjs-backend-wasm's backend object that kernels working in place on its heap rely on. */
import type * as tf from '@tensorflow/tfjs';

export interface WasmHeapBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

/** Whether `b` is a wasm backend exposing its heap (the internals these kernels read). */
export function hasHeap(b: unknown): b is WasmHeapBackend {
  const x = b as Partial<WasmHeapBackend> | undefined;
  return x?.wasm?.HEAPU8 instanceof Uint8Array && typeof x.dataIdMap?.get === 'function' && typeof x.makeOutput === 'function';
}
