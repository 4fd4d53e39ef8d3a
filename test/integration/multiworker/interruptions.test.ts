/**
 * Interrupting a run of two worker processes.
 *
 * - A worker dies mid-run (SIGKILL: no last words). The other must not hang in its next collective: it
 *   stops with an error naming the dead rank and exits. Resuming both from the last checkpoint then
 *   finishes the run, with the same weights and state as a run never interrupted.
 * - A pause request reaches one worker (IPC messages reach the workers at different times): both stop
 *   after the same step, rank 0 with a checkpoint of that step. (That a checkpoint resumes exactly with
 *   two workers is the first case's resume.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestCheckpoint } from '../../../src-worker/io/checkpoint';
import type { MainToWorker } from '../../../src-worker/protocol';
import { fixtureArgs, makeTrainFixture, type TrainFixture } from '../train/fixtures';
import { diffCheckpoints, loadFull } from '../train/checkpoints';
import { doneSummaries, endOf, startGroup } from './worker-group';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'clipwb-k2-interrupt-'));
let fx: TrainFixture;
// 64 samples, 2 workers of batch 8: 4 steps per epoch, 3 epochs = 12 steps; a checkpoint every 3 steps.
const STEPS = 12;
const args = () => fixtureArgs(fx, { epochs: 3, 'save-every-n-steps': 3, 'no-augment': false });
const straightEnd = () => path.join(root, 'straight', 'checkpoints', 'epoch_3.json');

beforeAll(async () => {
  fx = await makeTrainFixture(root, { shards: 2, samplesPerShard: 32 });
  const straight = await startGroup({ args: args(), worldSize: 2, outDir: path.join(root, 'straight') }).finished;
  expect(straight.exits.map((e) => e.code)).toEqual([0, 0]);
}, 120_000);
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function resumeToEnd(outDir: string): Promise<void> {
  const last = latestCheckpoint(path.join(outDir, 'checkpoints'));
  expect(last).not.toBeNull();
  const resumed = await startGroup({ args: args(), worldSize: 2, outDir, resumeFrom: last }).finished;
  expect(resumed.exits.map((e) => e.code)).toEqual([0, 0]);
  const summaries = doneSummaries(resumed);
  expect(summaries.get(0)).toMatchObject({ status: 'finished', steps: STEPS });
  expect(summaries.get(1)).toMatchObject({ status: 'finished', steps: STEPS });
  const d = diffCheckpoints(await loadFull(straightEnd()), await loadFull(path.join(outDir, 'checkpoints', 'epoch_3.json')));
  expect(d).toMatchObject({ weights: 0, optimizer: 0, objective: 0 });
}

describe('two workers, one killed mid-run', () => {
  it('the survivor stops with an error naming the dead rank; a resume from the last checkpoint finishes exactly', async () => {
    const outDir = path.join(root, 'killed');
    let killedAt: number | null = null;
    const outcome = await startGroup({
      args: args(), worldSize: 2, outDir,
      onMessage: (rank, msg, group) => {
        if (rank === 0 && msg.type === 'checkpoint' && killedAt === null) {
          killedAt = Date.now();
          group.workers[1]!.child.kill('SIGKILL');
        }
      },
    }).finished;
    expect(killedAt).not.toBeNull();
    const byRank = new Map(outcome.exits.map((e) => [e.rank, e]));
    expect(byRank.get(1)!.signal).toBe('SIGKILL');
    expect(byRank.get(0)!.code).toBe(1);
    const survivor = endOf(outcome, 0);
    expect(survivor.done).toBeUndefined();
    expect(survivor.error?.name).toBe('CollectiveError');
    expect(survivor.error?.message).toMatch(/^rank 0: rank 1 \(pid \d+\) exited while this rank waited in \w+ \(call #\d+\)/);
    // Informative only (wall-clock time is not asserted): the watchdog notices a dead peer within its poll period.
    console.log(`rank 0 exited ${byRank.get(0)!.at - killedAt!} ms after rank 1 was killed`);
    await resumeToEnd(outDir);
  });
});

describe('two workers, a pause that reaches only rank 0', () => {
  it('both stop after the same step, with a checkpoint of that step', async () => {
    const outDir = path.join(root, 'paused');
    let sent = false;
    const outcome = await startGroup({
      args: args(), worldSize: 2, outDir,
      onMessage: (rank, msg, group) => {
        if (rank === 0 && msg.type === 'progress' && msg.phase === 'train' && msg.step >= 3 && !sent) {
          sent = true;
          group.workers[0]!.child.send({ type: 'stop', mode: 'pause' } satisfies MainToWorker);
        }
      },
    }).finished;
    expect(sent).toBe(true);
    expect(outcome.exits.map((e) => e.code)).toEqual([0, 0]);
    const summaries = doneSummaries(outcome);
    expect(summaries.get(0)!.status).toBe('paused');
    expect(summaries.get(1)!.status).toBe('paused');
    expect(summaries.get(1)!.steps).toBe(summaries.get(0)!.steps);
    const pausedAt = summaries.get(0)!.steps as number;
    expect(pausedAt).toBeLessThan(STEPS);
    // A pause at the last step of an epoch is that epoch's checkpoint.
    expect(path.basename(latestCheckpoint(path.join(outDir, 'checkpoints'))!)).toBe(pausedAt % 4 === 0 ? `epoch_${pausedAt / 4}.json` : `step_${pausedAt}.json`);
  });
});
