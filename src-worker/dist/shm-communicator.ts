/**
 * The Communicator for K worker processes on one machine.
 *
 * Transport, chosen by measurement on a 2-core machine (bench/collective.ts prints the figures):
 * - bytes travel through per-rank buffer files in the distribution folder, which should be on tmpfs
 *   (/dev/shm): write()/read() of cached pages run at memory-copy speed (5-11 GB/s measured on an idle
 *   machine), and Node has no cross-process shared memory or mmap without native addons;
 * - control messages travel through named pipes read with a blocking read(): 9-56 us per round trip
 *   measured, and a waiting rank sleeps in the kernel. Spinning on a shared file (4 us) or on a Unix
 *   socket (10 us; Node's sockets are non-blocking, so a synchronous reader must spin) is no faster
 *   than that or burns the core that the awaited rank needs when K ranks share fewer cores; sleeping
 *   between polls costs 90-300 us per round trip;
 * - a watchdog thread per rank turns a missed deadline or a dead peer into a wake-up of the blocked
 *   read (see watchdog.ts), so no call can hang.
 *
 * Algorithms: all-gather and broadcast are direct (each rank reads the others' buffers). The mean
 * all-reduce is direct for arrays up to 256 KB (one round; it was as fast or faster there) and
 * reduce-scatter + all-gather in segments above (memory traffic per rank independent of K: 1.5-2x
 * faster than direct at 1-64 MB with K = 4; the ring was no faster at 64 MB and slower for small
 * arrays, having 2(K-1) rounds). Segments bound the tmpfs footprint at 2 segments per rank. See
 * allreduce.ts for the three variants.
 */
import { CollectiveError } from './errors';
import { bytesOf } from './bytes';
import { LocalCommunicator, type GroupCommunicator } from './communicator';
import { allReduceDirect, allReduceReduceScatter, allReduceRing } from './allreduce';
import { Op } from './protocol';
import { ShmTransport } from './transport';

export type AllReduceAlgorithm = 'auto' | 'direct' | 'reduce-scatter' | 'ring';

export interface CommunicatorOptions {
  /** Folder shared by the ranks of one run (put it on /dev/shm); created if missing. */
  dir: string;
  rank: number;
  worldSize: number;
  /** Longest wait, for all ranks to join and for each round of a collective (default 5 minutes). */
  timeoutMs?: number;
  /** Unique per launch: rank files of other launches in the same folder are then never taken for peers. */
  runId?: string;
  /** How often a waiting rank checks that the ranks it waits for are alive (default 250 ms). */
  livenessPollMs?: number;
  /** Tuning, for the benchmark: the all-reduce algorithm ('auto' picks by size). */
  allReduceAlgorithm?: AllReduceAlgorithm;
  /** Arrays up to this size use the direct all-reduce under 'auto'. */
  directAllReduceMaxBytes?: number;
  /** Segment size of the reduce-scatter and ring all-reduce. */
  segmentBytes?: number;
}

export const DEFAULT_TIMEOUT_MS = 5 * 60_000;
const DEFAULT_LIVENESS_POLL_MS = 250;
/** Chosen by measurement (bench/collective.ts). */
export const DEFAULT_DIRECT_ALLREDUCE_MAX_BYTES = 256 * 1024;
/**
 * Measured on 2 cores with K = 2 and 4 (bench/collective.ts --segments): 2 to 32 MB and unsegmented are
 * within the noise for K = 2; with K = 4 sharing 2 cores, fewer rounds (larger segments) were 10-20% faster.
 * 32 MB keeps most of that while bounding the tmpfs footprint at 2 x 32 MB per rank.
 */
export const DEFAULT_SEGMENT_BYTES = 32 * 1024 * 1024;

function checkInt(name: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new CollectiveError('invalid-argument', [], `${name} must be an integer in [${min}, ${max}], got ${String(v)}`);
  }
  return v;
}

export class ShmCommunicator implements GroupCommunicator {
  readonly rank: number;
  readonly worldSize: number;
  private readonly t: ShmTransport;
  private failure: Error | undefined;
  private closed = false;
  private readonly algorithm: AllReduceAlgorithm;
  private readonly directMaxBytes: number;
  private readonly segmentLength: number;

  constructor(o: CommunicatorOptions) {
    const worldSize = checkInt('worldSize', o.worldSize, 1, 1024);
    const rank = checkInt('rank', o.rank, 0, worldSize - 1);
    if (typeof o.dir !== 'string' || o.dir === '') {
      throw new CollectiveError('invalid-argument', [], 'dir must name the folder shared by the ranks (CLIPWB_DIST_DIR)');
    }
    const algorithms: readonly AllReduceAlgorithm[] = ['auto', 'direct', 'reduce-scatter', 'ring'];
    this.algorithm = o.allReduceAlgorithm ?? 'auto';
    if (!algorithms.includes(this.algorithm)) {
      throw new CollectiveError('invalid-argument', [], `allReduceAlgorithm must be one of ${algorithms.join(', ')}`);
    }
    this.directMaxBytes = checkInt('directAllReduceMaxBytes', o.directAllReduceMaxBytes ?? DEFAULT_DIRECT_ALLREDUCE_MAX_BYTES, 0);
    this.segmentLength = Math.ceil(checkInt('segmentBytes', o.segmentBytes ?? DEFAULT_SEGMENT_BYTES, 4) / 4);
    this.rank = rank;
    this.worldSize = worldSize;
    this.t = ShmTransport.open({
      dir: o.dir,
      rank,
      worldSize,
      timeoutMs: checkInt('timeoutMs', o.timeoutMs ?? DEFAULT_TIMEOUT_MS, 1),
      runId: o.runId ?? null,
      livenessPollMs: checkInt('livenessPollMs', o.livenessPollMs ?? DEFAULT_LIVENESS_POLL_MS, 1, 60_000),
    });
  }

  /** The process ids of the ranks, indexed by rank (from the rendezvous). */
  get pids(): readonly number[] {
    return this.t.pids;
  }

  setTimeoutMs(ms: number): void {
    this.t.timeoutMs = checkInt('timeoutMs', ms, 1);
  }

  allGather(data: Float32Array): Float32Array {
    return this.call(Op.allGather, () => this.gather(Op.allGather, expectArray(data, Float32Array, 'allGather'), (n) => new Float32Array(n)));
  }

  allGatherInt(data: Int32Array): Int32Array {
    return this.call(Op.allGatherInt, () => this.gather(Op.allGatherInt, expectArray(data, Int32Array, 'allGatherInt'), (n) => new Int32Array(n)));
  }

  allReduceMean(data: Float32Array): Float32Array {
    return this.call(Op.allReduceMean, () => {
      const out = new Float32Array(expectArray(data, Float32Array, 'allReduceMean').length);
      this.reduce(data, out);
      return out;
    });
  }

  allReduceMeanInto(data: Float32Array, out: Float32Array): void {
    this.call(Op.allReduceMean, () => {
      expectArray(data, Float32Array, 'allReduceMeanInto');
      expectArray(out, Float32Array, 'allReduceMeanInto');
      if (out.length !== data.length) {
        throw new CollectiveError('invalid-argument', [], `allReduceMeanInto: out has ${out.length} elements but data has ${data.length}`);
      }
      const overlap = out.buffer === data.buffer && out !== data &&
        out.byteOffset < data.byteOffset + data.byteLength && data.byteOffset < out.byteOffset + out.byteLength;
      if (overlap && out.byteOffset !== data.byteOffset) {
        throw new CollectiveError('invalid-argument', [], 'allReduceMeanInto: out partly overlaps data; pass the same array for in place, or separate ones');
      }
      this.reduce(data, out);
    });
  }

  private reduce(data: Float32Array, out: Float32Array): void {
    const algorithm = this.algorithm === 'auto'
      ? (data.length * 4 <= this.directMaxBytes ? 'direct' : 'reduce-scatter')
      : this.algorithm;
    if (data.length === 0) {
      this.t.exchange({ op: Op.allReduceMean, length: 0, phase: 0, aux: 0 }, this.t.peers, this.t.peers);
    } else if (algorithm === 'direct') {
      allReduceDirect(this.t, Op.allReduceMean, data, out);
    } else if (algorithm === 'ring') {
      allReduceRing(this.t, Op.allReduceMeanRing, data, out, this.segmentLength);
    } else {
      allReduceReduceScatter(this.t, Op.allReduceMean, data, out, this.segmentLength);
    }
  }

  broadcast(data: Float32Array, root = 0): Float32Array {
    return this.call(Op.broadcast, () => this.bcast(Op.broadcast, expectArray(data, Float32Array, 'broadcast'), root));
  }

  broadcastInt(data: Int32Array, root = 0): Int32Array {
    return this.call(Op.broadcastInt, () => this.bcast(Op.broadcastInt, expectArray(data, Int32Array, 'broadcastInt'), root));
  }

  barrier(): void {
    this.call(Op.barrier, () => this.t.exchange({ op: Op.barrier, length: 0, phase: 0, aux: 0 }, this.t.peers, this.t.peers));
  }

  /** Removes this rank's FIFO, buffers and rank file; the other ranks' files are theirs to remove. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.t.close();
  }

  private call<T>(op: number, body: () => T): T {
    if (this.closed) throw new CollectiveError('closed', [], `rank ${this.rank}: the communicator is closed`);
    if (this.failure) {
      throw new CollectiveError('closed', [], `rank ${this.rank}: the communicator is unusable after an earlier ` +
        `failure: ${this.failure.message}`);
    }
    this.t.beginCall(op);
    try {
      return body();
    } catch (err) {
      // After a failure the ranks' round counters and buffers no longer agree: refuse further calls.
      if (!(err instanceof CollectiveError && err.failure === 'invalid-argument')) this.failure = err as Error;
      throw err;
    }
  }

  private gather<T extends Float32Array | Int32Array>(op: number, data: T, make: (n: number) => T): T {
    const n = data.length;
    const out = make(n * this.worldSize);
    const parity = this.t.nextParity();
    if (n > 0) this.t.writeOwn(parity, bytesOf(data), 0);
    this.t.exchange({ op, length: n, phase: 0, aux: 0 }, this.t.peers, this.t.peers);
    out.set(data, this.rank * n);
    if (n > 0) for (const p of this.t.peers) this.t.readPeer(p, parity, bytesOf(out, p * n, (p + 1) * n), 0);
    return out;
  }

  private bcast<T extends Float32Array | Int32Array>(op: number, data: T, root: number): T {
    checkInt('broadcast root', root, 0, this.worldSize - 1);
    const n = data.length;
    const parity = this.t.nextParity();
    if (this.rank === root && n > 0) this.t.writeOwn(parity, bytesOf(data), 0);
    this.t.exchange({ op, length: n, phase: 0, aux: root }, this.t.peers, this.t.peers);
    const out = data.slice() as T;
    if (this.rank !== root && n > 0) this.t.readPeer(root, parity, bytesOf(out), 0);
    return out;
  }
}

function expectArray<T extends Float32Array | Int32Array>(data: T, type: { new (n: number): T; name: string }, op: string): T {
  if (!(data instanceof type)) {
    throw new CollectiveError('invalid-argument', [], `${op} needs a ${type.name}, got ${Object.prototype.toString.call(data)}`);
  }
  return data;
}

/**
 * Joins the group of `worldSize` ranks in `dir` (blocking until all joined, or throwing a 'join' error
 * naming the missing ranks). A world size of 1 needs no folder and gives the LocalCommunicator.
 */
export function createCommunicator(o: CommunicatorOptions): GroupCommunicator {
  if (o.worldSize === 1) {
    checkInt('rank', o.rank, 0, 0);
    return new LocalCommunicator();
  }
  return new ShmCommunicator(o);
}
