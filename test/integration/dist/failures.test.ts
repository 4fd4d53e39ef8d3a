import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { removeDir, startRanks } from './spawn-ranks';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

/** The pid of a process that has already exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

function writeRankFile(dir: string, rank: number, runId: string | null, pid: number): void {
  fs.writeFileSync(path.join(dir, `rank-${rank}.json`), JSON.stringify({ format: 'clipwb-dist/1', runId, rank, worldSize: 2, pid }));
}

describe('failures are reported, never hang', () => {
  it('a rank that never calls the collective: the others time out naming it', async () => {
    let reported = 0;
    const g = startRanks(3, { scenario: 'silent', silentRank: 1, timeoutMs: 1500 }, {
      onReport: () => { if (++reported === 2) g.children[1]!.kill('SIGKILL'); },
    });
    dirs.push(g.dir);
    const [r0, r1, r2] = await g.done;
    for (const r of [r0!, r2!]) {
      expect(r.report?.error?.failure, r.stderr).toBe('timeout');
      expect(r.report?.error?.ranks).toEqual([1]);
      expect(r.report?.error?.message).toMatch(/waiting for rank 1 \(pid \d+\)/);
    }
    expect(r1!.signal).toBe('SIGKILL');
  });

  it('a rank killed with SIGKILL mid-run: the others fail naming it, long before their timeout', async () => {
    // The timeout is two minutes, so a 'peer-died' error can only come from the liveness check.
    const g = startRanks(3, { scenario: 'killed', timeoutMs: 120_000 }, {
      onReport: (r, child) => { if (r.ready && r.rank === 2) child.kill('SIGKILL'); },
    });
    dirs.push(g.dir);
    const [r0, r1, r2] = await g.done;
    expect(r2!.signal).toBe('SIGKILL');
    for (const r of [r0!, r1!]) {
      expect(r.report?.error?.failure, r.stderr).toBe('peer-died');
      expect(r.report?.error?.ranks).toEqual([2]);
      expect(r.report?.error?.message).toMatch(/rank 2 \(pid \d+\) exited/);
    }
  });

  it('mismatched lengths are detected on every rank, and the communicator then refuses further calls', async () => {
    const g = startRanks(3, { scenario: 'mismatch', timeoutMs: 30_000 });
    dirs.push(g.dir);
    const ends = await g.done;
    for (const e of ends) {
      const { rank, error, after } = e.report!;
      expect(error?.failure, e.stderr).toBe('mismatch');
      expect(error?.message).toMatch(/allGather of 1[01] elements but rank \d called allGather of 1[01] elements/);
      // Ranks 0 and 1 blame rank 2; rank 2 hears first from whichever of them.
      expect(error?.ranks).toEqual(rank === 2 ? [expect.any(Number)] : [2]);
      expect(after?.failure).toBe('closed');
    }
  });

  it('a rank that never starts: the others fail to join, naming it', async () => {
    const g = startRanks(3, { scenario: 'join', timeoutMs: 1500 }, { ranks: [0, 1] });
    dirs.push(g.dir);
    for (const e of await g.done) {
      expect(e.report?.error?.failure, e.stderr).toBe('join');
      expect(e.report?.error?.ranks).toEqual([2]);
      expect(e.report?.error?.message).toMatch(/rank 2 did not join within 1500 ms/);
    }
    // A rank that failed to join removes what it created.
    expect(fs.readdirSync(g.dir)).toEqual([]);
  });

  it('thousands of consecutive small calls stay correct, and close() removes every rank file', async () => {
    const g = startRanks(3, { scenario: 'many', iterations: 2000, timeoutMs: 30_000 });
    dirs.push(g.dir);
    for (const e of await g.done) {
      expect(e.report, e.stderr).toMatchObject({ ok: true, wrong: 0, left: [] });
    }
    expect(fs.readdirSync(g.dir)).toEqual([]);
  });

  it('rank files left by an earlier launch are not taken for peers', async () => {
    // Another run's file, then (no run id) a file whose process is gone: both are waited past.
    for (const runId of ['launch-2', undefined]) {
      const g = startRanks(2, { scenario: 'many', iterations: 5, timeoutMs: 30_000 }, {
        ...(runId ? { runId } : {}),
        prepare: (dir) => writeRankFile(dir, 1, runId ? 'launch-1' : null, deadPid()),
        ranks: [0],
      });
      dirs.push(g.dir);
      // Rank 1 of this launch starts only once rank 0 has had time to see the stale file.
      await new Promise((r) => setTimeout(r, 1500));
      const late = startRanks(2, { scenario: 'many', iterations: 5, timeoutMs: 30_000 }, {
        ...(runId ? { runId } : {}), dir: g.dir, ranks: [1],
      });
      const [first] = await g.done;
      const [second] = await late.done;
      expect(first!.report, first!.stderr).toMatchObject({ ok: true, wrong: 0 });
      expect(second!.report, second!.stderr).toMatchObject({ ok: true, wrong: 0 });
    }
  });

  it('a rank of this launch that died before the group formed fails the others at once', async () => {
    const g = startRanks(2, { scenario: 'join', timeoutMs: 120_000 }, {
      runId: 'launch-3',
      prepare: (dir) => writeRankFile(dir, 1, 'launch-3', deadPid()),
      ranks: [0],
    });
    dirs.push(g.dir);
    const [r0] = await g.done;
    expect(r0!.report?.error?.failure, r0!.stderr).toBe('peer-died');
    expect(r0!.report?.error?.ranks).toEqual([1]);
    expect(r0!.report?.error?.message).toMatch(/rank 1 \(pid \d+\) exited before all 2 ranks joined/);
  });
});
