/**
 * FastCLIP's per-sample arrays (u, and for v2 τ, Adam moments and log-sum-exp bounds), indexed by the
 * global sample index and replicated on every rank (docs/design/algorithms.md#per-sample-state).
 *
 * Plain Float32Arrays in JavaScript: a step reads and writes only b (local) and Kb (global) entries, so
 * keeping them off the tensor backend costs nothing and keeps them out of GPU memory.
 */
import type { ObjectiveState } from './types';

export class PerSampleState {
  readonly arrays: Record<string, Float32Array> = {};

  constructor(readonly dataSize: number, init: Record<string, number>) {
    if (!Number.isInteger(dataSize) || dataSize < 1) {
      throw new RangeError(`data_size: FastCLIP needs --data_size, a whole number larger than the largest sample key; got ${dataSize}`);
    }
    for (const [name, value] of Object.entries(init)) {
      const a = new Float32Array(dataSize);
      if (value !== 0) a.fill(value);
      this.arrays[name] = a;
    }
  }

  get(name: string): Float32Array {
    const a = this.arrays[name];
    if (!a) throw new Error(`no per-sample array named ${name}`);
    return a;
  }

  /** Values at the given indices, as a new array. Indices must have been checked with `checkIndices`. */
  read(name: string, indices: Int32Array): Float32Array {
    const a = this.get(name);
    const out = new Float32Array(indices.length);
    for (let i = 0; i < indices.length; i++) out[i] = a[indices[i]!]!;
    return out;
  }

  /** Writes values[i] at indices[i] in order, so a repeated index keeps its last value. */
  write(name: string, indices: Int32Array, values: Float32Array | Float64Array): void {
    const a = this.get(name);
    if (values.length !== indices.length) throw new Error(`${name}: ${values.length} values for ${indices.length} indices`);
    for (let i = 0; i < indices.length; i++) a[indices[i]!] = values[i]!;
  }

  /** Throws before anything is written, naming the first index outside [0, data_size). */
  checkIndices(indices: Int32Array, where: string): void {
    for (let i = 0; i < indices.length; i++) {
      const k = indices[i]!;
      if (k < 0 || k >= this.dataSize) {
        throw new RangeError(
          `sample index ${k} (${where}, position ${i}) is outside [0, data_size = ${this.dataSize}). ` +
            'Set --data_size larger than the largest sample key of the dataset',
        );
      }
    }
  }

  stateDict(): ObjectiveState {
    const out: ObjectiveState = {};
    for (const [name, a] of Object.entries(this.arrays)) out[name] = a.slice();
    return out;
  }

  loadStateDict(state: ObjectiveState): void {
    if (typeof state !== 'object' || state === null) throw new TypeError('FastCLIP state: expected an object of Float32Arrays');
    const expected = Object.keys(this.arrays);
    for (const name of expected) {
      const src = state[name];
      if (src === undefined) {
        throw new Error(`FastCLIP state: "${name}" is missing (expected ${expected.join(', ')}); the checkpoint was written by another temperature scheme or is damaged`);
      }
      if (!(src instanceof Float32Array)) throw new TypeError(`FastCLIP state: "${name}" must be a Float32Array`);
      if (src.length !== this.dataSize) {
        throw new RangeError(`FastCLIP state: "${name}" has ${src.length} entries but --data_size is ${this.dataSize}; resume with the run's original --data_size`);
      }
    }
    const unknown = Object.keys(state).filter((k) => !expected.includes(k));
    if (unknown.length > 0) throw new Error(`FastCLIP state: unexpected array(s) ${unknown.join(', ')} for this temperature scheme (expected ${expected.join(', ')})`);
    for (const name of expected) this.get(name).set(state[name]!);
  }
}

/** True for an entry the reference paper's code treats as never seen: u < 1e-35, infinite or NaN. */
export function isUnseen(u: number): boolean {
  return !(u >= 1e-35) || u === Infinity;
}
