/** Test helpers: deterministic data, tensor conversion, tolerances, and a scripted K-rank communicator. */
import { expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { Communicator } from '../../../src-worker/dist/communicator';
import type { Mat } from './reference';

/** mulberry32: a small seeded generator so every test sees the same numbers. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** b rows of dimension d, each L2-normalised, as Float64 arrays rounded through float32 (what the tensors hold). */
export function unitRows(b: number, d: number, next: () => number): Mat {
  return Array.from({ length: b }, () => {
    const v = Array.from({ length: d }, () => next() * 2 - 1);
    const norm = Math.hypot(...v);
    return v.map((x) => Math.fround(x / norm));
  });
}

export const toTensor = (m: Mat): tf.Tensor2D => tf.tensor2d(m);
export const toMat = (t: tf.Tensor): Mat => t.arraySync() as Mat;
export const copy = (m: Mat): Mat => m.map((r) => r.slice());

/**
 * |actual − expected| <= atol + rtol·|expected| entry-wise, with atol relative to the largest expected
 * magnitude (the float32 tensors carry about 7 significant digits; finite differences of the Float64
 * references are accurate to about 1e-9).
 */
export function expectClose(actual: number[] | number, expected: number[] | number, rtol = 1e-3, atolScale = 1e-4, what = 'value'): void {
  const a = Array.isArray(actual) ? actual : [actual];
  const e = Array.isArray(expected) ? expected : [expected];
  expect(a.length, `${what}: length`).toBe(e.length);
  const scale = Math.max(1, ...e.map((x) => Math.abs(x)));
  for (let i = 0; i < e.length; i++) {
    const tol = atolScale * scale + rtol * Math.abs(e[i]!);
    if (!(Math.abs(a[i]! - e[i]!) <= tol)) {
      throw new Error(`${what}[${i}]: got ${a[i]}, expected ${e[i]} (tolerance ${tol.toExponential(2)})`);
    }
  }
}

export const flat = (m: Mat): number[] => m.flat();

type Sent = Float32Array | Int32Array;

/**
 * A communicator for one simulated rank: each collective answers with the concatenation (rank-major)
 * of what every rank sent in that call, taken from `others` (the other ranks' sends recorded in an
 * earlier pass). Records what this rank sends.
 */
export class ScriptedCommunicator implements Communicator {
  readonly sent: Sent[] = [];

  constructor(readonly rank: number, readonly worldSize: number, private readonly others: Sent[][]) {}

  private answer<T extends Sent>(data: T, make: (n: number) => T): T {
    const call = this.sent.length;
    this.sent.push(data.slice());
    const out = make(data.length * this.worldSize);
    for (let q = 0; q < this.worldSize; q++) {
      const block = q === this.rank ? data : (this.others[q]?.[call] ?? data);
      if (block.length !== data.length) throw new Error(`rank ${q} sent ${block.length} values in call ${call}, rank ${this.rank} sent ${data.length}`);
      out.set(block, q * data.length);
    }
    return out;
  }

  allGather(data: Float32Array): Float32Array { return this.answer(data, (n) => new Float32Array(n)); }
  allGatherInt(data: Int32Array): Int32Array { return this.answer(data, (n) => new Int32Array(n)); }
  allReduceMean(): Float32Array { throw new Error('not used by the losses'); }
  broadcast(): Float32Array { throw new Error('not used by the losses'); }
  broadcastInt(): Int32Array { throw new Error('not used by the losses'); }
  barrier(): void {}
  close(): void {}
}

function sameSends(a: Sent[][], b: Sent[][]): boolean {
  return a.length === b.length && a.every((calls, r) => calls.length === b[r]!.length
    && calls.every((x, c) => x.length === b[r]![c]!.length && x.every((v, k) => Object.is(v, b[r]![c]![k]))));
}

/**
 * Runs K ranks of a synchronous step in one process. A rank's n-th send depends only on the answers to
 * its earlier calls, so repeating the whole step (from the same starting state) with the sends of the
 * previous pass converges in (number of calls + 1) passes; the result is returned once every rank's
 * sends equal those its peers were answered with, i.e. once the simulated collectives are exact.
 * `runRank` must start from the same state each time (build a fresh objective inside it).
 */
export function simulateRanks<T>(K: number, runRank: (rank: number, comm: Communicator) => T, maxPasses = 10): T[] {
  let previous: Sent[][] = Array.from({ length: K }, () => []);
  for (let pass = 0; pass < maxPasses; pass++) {
    const comms = Array.from({ length: K }, (_, r) => new ScriptedCommunicator(r, K, previous));
    const results = comms.map((comm, r) => runRank(r, comm));
    const sent = comms.map((c) => c.sent);
    if (pass > 0 && sameSends(previous, sent)) return results;
    previous = sent;
  }
  throw new Error(`the simulated ranks did not settle in ${maxPasses} passes`);
}
