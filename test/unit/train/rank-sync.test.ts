import { describe, expect, it } from 'vitest';
import { LocalCommunicator } from '../../../src-worker/dist/communicator';
import { DEFAULT_TIMEOUT_MS } from '../../../src-worker/dist/shm-communicator';
import { agreeOnControl, MAIN_WORK_TIMEOUT_MS, waitForMainRank } from '../../../src-worker/train/rank-sync';
import { FakeGroup } from './fake-group';

describe('agreeOnControl', () => {
  it('one worker acts on its own requests, without a collective', () => {
    expect(agreeOnControl(new LocalCommunicator(), { stop: 'pause', checkpoint: true })).toEqual({ stop: 'pause', checkpoint: true });
  });

  it('every rank acts on rank 0 requests, whatever it saw itself', () => {
    const rank1 = new FakeGroup(1, 2, { rootInt: Int32Array.of(1, 0) });
    expect(agreeOnControl(rank1, { stop: null, checkpoint: true })).toEqual({ stop: 'pause', checkpoint: false });
    const rank1b = new FakeGroup(1, 2, { rootInt: Int32Array.of(0, 1) });
    expect(agreeOnControl(rank1b, { stop: 'cancel', checkpoint: false })).toEqual({ stop: null, checkpoint: true });
    const rank1c = new FakeGroup(1, 2, { rootInt: Int32Array.of(2, 0) });
    expect(agreeOnControl(rank1c, { stop: null, checkpoint: false })).toEqual({ stop: 'cancel', checkpoint: false });
  });

  it('rank 0 sends its own requests', () => {
    const rank0 = new FakeGroup(0, 2);
    expect(agreeOnControl(rank0, { stop: 'cancel', checkpoint: true })).toEqual({ stop: 'cancel', checkpoint: true });
    expect(rank0.calls).toEqual([{ op: 'broadcastInt', data: Int32Array.of(2, 1) }]);
  });
});

describe('waitForMainRank', () => {
  it('waits at a barrier with the long timeout, then restores the step timeout', () => {
    const g = new FakeGroup(1, 2);
    waitForMainRank(g);
    expect(g.calls.map((c) => c.op)).toEqual(['barrier']);
    expect(g.timeouts).toEqual([MAIN_WORK_TIMEOUT_MS, DEFAULT_TIMEOUT_MS]);
  });

  it('is a no-op for one worker', () => {
    const g = new FakeGroup(0, 1);
    waitForMainRank(g);
    expect(g.calls).toEqual([]);
  });
});
