import { afterAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { expectedMean, floatsFor, intsFor } from './data';
import { removeDir, startRanks, type RankReport } from './spawn-ranks';
import type { ScenarioArgs } from './rank-main';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

const hash = (a: Float32Array | Int32Array): string =>
  createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex');

function concat<T extends Float32Array | Int32Array>(parts: T[], make: (n: number) => T): T {
  const out = make(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** What every rank must have got, computed here from the same generators. */
function expectedResults(k: number, lengths: number[]): Record<string, string> {
  const want: Record<string, string> = {};
  lengths.forEach((n, tag) => {
    const f = Array.from({ length: k }, (_, r) => floatsFor(r, tag, n));
    const i = Array.from({ length: k }, (_, r) => intsFor(r, tag, n));
    want[`allGather/${n}`] = hash(concat(f, (m) => new Float32Array(m)));
    want[`allGatherInt/${n}`] = hash(concat(i, (m) => new Int32Array(m)));
    want[`allReduceMean/${n}`] = hash(expectedMean(f));
    want[`allReduceMeanInto/${n}`] = want[`allReduceMean/${n}`]!;
    want[`allReduceMeanInPlace/${n}`] = want[`allReduceMean/${n}`]!;
    for (let root = 0; root < k; root++) {
      want[`broadcast/${n}/${root}`] = hash(f[root]!);
      want[`broadcastInt/${n}/${root}`] = hash(i[root]!);
    }
  });
  return want;
}

async function runOps(k: number, args: ScenarioArgs): Promise<RankReport[]> {
  const g = startRanks(k, args);
  dirs.push(g.dir);
  const ends = await g.done;
  for (const e of ends) expect(e.report, e.stderr).toMatchObject({ ok: true });
  return ends.map((e) => e.report!);
}

describe('collectives across real processes', () => {
  // Odd, zero and multi-megabyte lengths; 1_000_003 floats (4 MB) crosses several 1 MB segments.
  const lengths = [0, 1, 7, 1001, 65_537, 1_000_003];

  for (const k of [2, 3]) {
    it(`K=${k}: every op gives the expected bits on every rank (default algorithms)`, async () => {
      const reports = await runOps(k, { scenario: 'ops', lengths, segmentBytes: 1 << 20 });
      const want = expectedResults(k, lengths);
      for (const r of reports) expect(r.results).toEqual(want);
    });
  }

  it('K=3: the direct, reduce-scatter (tiny uneven segments) and ring all-reduces agree bitwise across ranks', async () => {
    const small = [0, 1, 2, 5, 4099];
    for (const algorithm of ['direct', 'reduce-scatter', 'ring'] as const) {
      const reports = await runOps(3, { scenario: 'ops', lengths: small, algorithm, segmentBytes: 4 * 1000 });
      const first = reports[0]!.results!;
      for (const r of reports) expect(r.results).toEqual(first);
      if (algorithm !== 'ring') {
        // The ring sums each chunk starting at a different rank; the others follow the documented order.
        expect(first).toEqual(expectedResults(3, small));
      } else {
        const want = expectedResults(3, small);
        for (const key of Object.keys(want).filter((x) => !x.startsWith('allReduceMean'))) expect(first[key]).toBe(want[key]);
        for (const n of small) expect(first[`allReduceMeanInPlace/${n}`]).toBe(first[`allReduceMean/${n}`]);
      }
    }
  });
});
