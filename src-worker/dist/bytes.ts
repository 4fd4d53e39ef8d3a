/** Byte views of typed-array ranges, for file I/O without copies. */
export function bytesOf(a: Float32Array | Int32Array, start = 0, end = a.length): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset + start * 4, (end - start) * 4);
}
