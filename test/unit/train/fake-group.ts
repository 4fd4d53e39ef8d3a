/**
 * A stand-in for rank `rank` of a K-rank group: collectives combine this rank's data with fixed
 * contributions of the other ranks, and every call is recorded.
 */
import type { GroupCommunicator } from '../../../src-worker/dist/communicator';

export class FakeGroup implements GroupCommunicator {
  readonly calls: { op: string; data: Float32Array | Int32Array | null }[] = [];
  readonly timeouts: number[] = [];

  constructor(readonly rank: number, readonly worldSize: number, private readonly peers: {
    /** What the other ranks contribute to an all-reduce (same length as the data). */
    reduce?: (data: Float32Array) => Float32Array[];
    /** Rank 0's arrays for broadcasts, when this is not rank 0. */
    rootInt?: Int32Array;
  } = {}) {}

  /** The other ranks hold copies of this rank's rows. */
  allGather(data: Float32Array): Float32Array { return this.replicate(data, new Float32Array(data.length * this.worldSize)); }
  allGatherInt(data: Int32Array): Int32Array { return this.replicate(data, new Int32Array(data.length * this.worldSize)); }

  private replicate<T extends Float32Array | Int32Array>(data: T, out: T): T {
    for (let r = 0; r < this.worldSize; r++) out.set(data, r * data.length);
    return out;
  }

  allReduceMean(data: Float32Array): Float32Array {
    this.calls.push({ op: 'allReduceMean', data: data.slice() });
    const others = this.peers.reduce?.(data) ?? [];
    const out = data.slice();
    for (const o of others) for (let i = 0; i < out.length; i++) out[i]! += o[i]!;
    for (let i = 0; i < out.length; i++) out[i]! /= 1 + others.length;
    return out;
  }

  allReduceMeanInto(data: Float32Array, out: Float32Array): void { out.set(this.allReduceMean(data)); }
  broadcast(data: Float32Array): Float32Array { return data.slice(); }

  broadcastInt(data: Int32Array, root = 0): Int32Array {
    this.calls.push({ op: 'broadcastInt', data: data.slice() });
    return this.rank === root || !this.peers.rootInt ? data.slice() : this.peers.rootInt.slice();
  }

  barrier(): void { this.calls.push({ op: 'barrier', data: null }); }
  close(): void {}
  setTimeoutMs(ms: number): void { this.timeouts.push(ms); }
}
