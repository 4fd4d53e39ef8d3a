/**
 * The collective operations that the K worker processes of one run use (FastCLIP's all-gathers of
 * features, u values and indices; the all-reduce of gradients).
 *
 * The calls are synchronous on purpose: the FastCLIP loss all-gathers in the middle of the differentiated
 * function, and TensorFlow.js records its gradient tape only inside a synchronous function. A blocking
 * collective lets the loss run once under the tape instead of re-running the forward pass.
 *
 * Every call must be made by all ranks in the same order with arrays of the same length. Every call has a
 * timeout and fails with an error that names the rank that did not answer.
 */
export interface Communicator {
  readonly rank: number;
  readonly worldSize: number;
  /** Concatenation of every rank's array, rank-major. `data.length` must be equal on every rank. */
  allGather(data: Float32Array): Float32Array;
  allGatherInt(data: Int32Array): Int32Array;
  /** Element-wise mean over ranks, returned as a new array (the input is left as it was). */
  allReduceMean(data: Float32Array): Float32Array;
  /** Rank `root`'s array on every rank. */
  broadcast(data: Float32Array, root?: number): Float32Array;
  broadcastInt(data: Int32Array, root?: number): Int32Array;
  barrier(): void;
  close(): void;
}

/** The single-process case (K = 1): every collective is the identity. */
export class LocalCommunicator implements GroupCommunicator {
  readonly rank = 0;
  readonly worldSize = 1;
  allGather(data: Float32Array): Float32Array { return data.slice(); }
  allGatherInt(data: Int32Array): Int32Array { return data.slice(); }
  allReduceMean(data: Float32Array): Float32Array { return data.slice(); }
  broadcast(data: Float32Array): Float32Array { return data.slice(); }
  broadcastInt(data: Int32Array): Int32Array { return data.slice(); }
  barrier(): void {}
  close(): void {}
  setTimeoutMs(): void {}
  allReduceMeanInto(data: Float32Array, out: Float32Array): void {
    if (out.length !== data.length) throw new Error(`allReduceMeanInto: out has ${out.length} elements, data ${data.length}`);
    if (out !== data) out.set(data);
  }
}

/** What createCommunicator and communicatorFromEnv return: the interface plus this layer's extras. */
export interface GroupCommunicator extends Communicator {
  /** Longest wait for a peer in each round of a collective, from now on (e.g. shorter once training runs). */
  setTimeoutMs(ms: number): void;
  /**
   * allReduceMean into a caller-owned array of the same length, which may be `data` itself (in place).
   * For gradients, reusing one flat buffer per step avoids allocating and page-faulting a fresh result
   * of the model's size on every call (measured about 3x slower for the copy into fresh memory).
   */
  allReduceMeanInto(data: Float32Array, out: Float32Array): void;
}
