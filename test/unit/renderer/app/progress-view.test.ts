import { describe, expect, it } from 'vitest';
import { progressView } from '../../../../src-renderer/components/run/progress-view';
import { summary } from './fixtures';

const NOW = 1_000_000;

describe('progressView', () => {
  it('gives a finished, paused or cancelled run its last step and how long it ran, not "no progress"', () => {
    for (const status of ['finished', 'paused', 'cancelled'] as const) {
      const v = progressView(summary({ id: 'r', status, startedAt: NOW - 185_000, endedAt: NOW - 5_000, lastStep: 120 }), NOW);
      expect(v.kind).toBe('ended');
      expect(v.stepText).toBe(`${status} at step 120`);
      expect(v.durationSeconds).toBe(180);
    }
    expect(progressView(summary({ id: 'r', status: 'finished', lastStep: 30 }), NOW).fraction).toBe(1);
  });
  it('says which step a resumed run continues from instead of "step 0 / ?"', () => {
    const resumed = summary({ id: 'r', status: 'running', startedAt: NOW - 1000, lastStep: 64, progress: { epoch: 4, step: 0, totalSteps: 0, samplesPerSecond: null, etaSeconds: null } });
    expect(progressView(resumed, NOW).stepText).toBe('resuming from step 64');
    const starting = summary({ id: 'r', status: 'starting', lastStep: 64 });
    expect(progressView(starting, NOW).stepText).toBe('resuming from step 64');
  });
  it('shows the worker\'s ETA, or estimates one from the time per step so far', () => {
    const withEta = summary({ id: 'r', status: 'running', startedAt: NOW - 100_000, progress: { epoch: 1, step: 50, totalSteps: 100, samplesPerSecond: 12, etaSeconds: 42 } });
    expect(progressView(withEta, NOW)).toMatchObject({ kind: 'live', stepText: 'step 50 / 100', etaSeconds: 42, fraction: 0.5 });
    const without = summary({ id: 'r', status: 'running', startedAt: NOW - 100_000, progress: { epoch: 1, step: 50, totalSteps: 100, samplesPerSecond: null, etaSeconds: null } });
    // 100 s for 50 steps: 100 s for the 50 left.
    expect(progressView(without, NOW).etaSeconds).toBeCloseTo(100, 6);
  });
  it('says a fresh run is preparing rather than "step 0 / ?"', () => {
    const fresh = summary({ id: 'r', status: 'running', startedAt: NOW - 5000, progress: { epoch: 0, step: 0, totalSteps: 0, samplesPerSecond: null, etaSeconds: null } });
    expect(progressView(fresh, NOW)).toMatchObject({ kind: 'starting', stepText: 'preparing the first step…', durationSeconds: 5 });
  });
  it('says a queued run waits, without a bar', () => {
    expect(progressView(summary({ id: 'r', status: 'queued' }), NOW)).toMatchObject({ kind: 'queued', stepText: 'waiting in the queue' });
  });
});
