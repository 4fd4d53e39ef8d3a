/**
 * One rank of a test group: joins through the environment like a real worker, runs the scenario named
 * on the command line, and prints one JSON line (its results, or the error it got) on stdout.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { CollectiveError } from '../../../src-worker/dist/errors';
import { communicatorFromEnv, readDistEnv } from '../../../src-worker/dist/env';
import type { AllReduceAlgorithm } from '../../../src-worker/dist/shm-communicator';
import type { GroupCommunicator } from '../../../src-worker/dist/communicator';
import { sleepSync } from '../../../src-worker/dist/sleep-sync';
import { floatsFor, intsFor } from './data';

export interface ScenarioArgs {
  scenario: 'ops' | 'silent' | 'killed' | 'mismatch' | 'many' | 'join';
  lengths?: number[];
  algorithm?: AllReduceAlgorithm;
  segmentBytes?: number;
  directAllReduceMaxBytes?: number;
  silentRank?: number;
  iterations?: number;
  timeoutMs?: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as ScenarioArgs;
const hash = (a: Float32Array | Int32Array): string =>
  createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex');
const say = (o: object): void => void fs.writeSync(1, `${JSON.stringify(o)}\n`);

function ops(c: GroupCommunicator, lengths: number[]): Record<string, string> {
  const r = c.rank;
  const out: Record<string, string> = {};
  lengths.forEach((n, tag) => {
    out[`allGather/${n}`] = hash(c.allGather(floatsFor(r, tag, n)));
    out[`allGatherInt/${n}`] = hash(c.allGatherInt(intsFor(r, tag, n)));
    const input = floatsFor(r, tag, n);
    const before = hash(input);
    out[`allReduceMean/${n}`] = hash(c.allReduceMean(input));
    if (hash(input) !== before) throw new Error('allReduceMean changed its input');
    const into = new Float32Array(n).fill(Number.NaN);
    c.allReduceMeanInto(input, into);
    out[`allReduceMeanInto/${n}`] = hash(into);
    if (hash(input) !== before) throw new Error('allReduceMeanInto changed its input');
    c.allReduceMeanInto(input, input);
    out[`allReduceMeanInPlace/${n}`] = hash(input);
    for (let root = 0; root < c.worldSize; root++) {
      out[`broadcast/${n}/${root}`] = hash(c.broadcast(floatsFor(r, tag, n), root));
      out[`broadcastInt/${n}/${root}`] = hash(c.broadcastInt(intsFor(r, tag, n), root));
    }
    c.barrier();
  });
  return out;
}

/** Small calls whose right answers the rank can compute itself; returns how many were wrong. */
function many(c: GroupCommunicator, iterations: number): number {
  const k = c.worldSize;
  let wrong = 0;
  // Bad arguments are refused on the calling rank without breaking the group.
  for (const bad of [() => c.allReduceMeanInto(new Float32Array(4), new Float32Array(5)),
    () => { const b = new Float32Array(8); c.allReduceMeanInto(b.subarray(0, 4), b.subarray(2, 6)); },
    () => c.broadcast(new Float32Array(1), k)]) {
    try {
      bad();
      wrong++;
    } catch (err) {
      if (!(err instanceof CollectiveError) || err.failure !== 'invalid-argument') wrong++;
    }
  }
  for (let i = 0; i < iterations; i++) {
    const g = c.allGatherInt(Int32Array.of(c.rank, i));
    for (let p = 0; p < k; p++) if (g[2 * p] !== p || g[2 * p + 1] !== i) wrong++;
    const m = new Float32Array(3);
    c.allReduceMeanInto(Float32Array.of(c.rank, i, -i), m);
    if (m[0] !== (k - 1) / 2) wrong++;
    if (m[1] !== Math.fround(i) || m[2] !== Math.fround(-i)) wrong++;
    const root = i % k;
    const b = c.broadcast(Float32Array.of(c.rank * 1000 + i), root);
    if (b[0] !== root * 1000 + i) wrong++;
    if (i % 7 === 0) c.barrier();
  }
  return wrong;
}

function main(): void {
  const settings = readDistEnv();
  if (!settings) throw new Error('CLIPWB_* variables missing');
  const comm = communicatorFromEnv(process.env, {
    ...(args.timeoutMs !== undefined ? { timeoutMs: args.timeoutMs } : {}),
    ...(args.algorithm ? { allReduceAlgorithm: args.algorithm } : {}),
    ...(args.segmentBytes ? { segmentBytes: args.segmentBytes } : {}),
    ...(args.directAllReduceMaxBytes !== undefined ? { directAllReduceMaxBytes: args.directAllReduceMaxBytes } : {}),
    livenessPollMs: 100,
  });
  const rank = comm.rank;
  try {
    switch (args.scenario) {
      case 'ops':
        say({ rank, ok: true, results: ops(comm, args.lengths ?? []) });
        break;
      case 'silent':
        if (rank === args.silentRank) {
          // Alive but absent; the test kills it once the others have reported.
          sleepSync(120_000);
        } else {
          comm.barrier();
          say({ rank, ok: true });
        }
        break;
      case 'killed':
        for (let i = 0; ; i++) {
          comm.allReduceMean(floatsFor(rank, i, 1000));
          if (i === 20) say({ rank, ready: true });
        }
      case 'mismatch': {
        // The last rank disagrees: a different length first, then (if asked again) a different op.
        const last = rank === comm.worldSize - 1;
        let first: unknown;
        try {
          comm.allGather(new Float32Array(last ? 11 : 10));
        } catch (err) {
          first = err;
        }
        let after: unknown;
        try {
          comm.barrier();
        } catch (err) {
          after = err;
        }
        say({ rank, ok: false, error: describe(first), after: describe(after) });
        break;
      }
      case 'many': {
        const wrong = many(comm, args.iterations ?? 1000);
        comm.close();
        const left = fs.readdirSync(settings.dir).filter((f) => f.startsWith(`rank-${rank}.`));
        say({ rank, ok: true, wrong, left });
        break;
      }
      case 'join':
        say({ rank, ok: true });
        break;
    }
  } catch (err) {
    say({ rank, ok: false, error: describe(err) });
  } finally {
    comm.close();
  }
}

function describe(err: unknown): object | null {
  if (err === undefined) return null;
  if (err instanceof CollectiveError) return { failure: err.failure, ranks: err.ranks, message: err.message };
  return { failure: 'other', ranks: [], message: String((err as Error)?.stack ?? err) };
}

try {
  main();
} catch (err) {
  say({ rank: Number(process.env.CLIPWB_RANK), ok: false, error: describe(err) });
}
