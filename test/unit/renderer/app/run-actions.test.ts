import { describe, expect, it } from 'vitest';
import type { RunStatus } from '../../../../src-shared/api/types';
import { isLive, runActions } from '../../../../src-renderer/stores/run-actions';

describe('runActions', () => {
  const of = (status: RunStatus, resumable = true) => runActions({ status, resumable });
  it('pauses only runs with a live worker', () => {
    expect(of('running').pause).toBe(true);
    expect(of('stalled').pause).toBe(true);
    for (const s of ['queued', 'starting', 'paused', 'finished', 'failed', 'cancelled', 'interrupted'] as const) expect(of(s).pause).toBe(false);
  });
  it('resumes stopped runs that have a checkpoint', () => {
    for (const s of ['paused', 'failed', 'interrupted', 'cancelled'] as const) expect(of(s).resume).toBe(true);
    expect(of('paused', false).resume).toBe(false);
    expect(of('running').resume).toBe(false);
    expect(of('finished').resume).toBe(false);
    expect(of('stalled').resume).toBe(false);
  });
  it('cancels anything not over', () => {
    for (const s of ['queued', 'starting', 'running', 'paused', 'stalled', 'interrupted'] as const) expect(of(s).cancel).toBe(true);
    for (const s of ['finished', 'failed', 'cancelled'] as const) expect(of(s).cancel).toBe(false);
  });
  it('follows live updates only while a worker may still log', () => {
    expect(isLive('running')).toBe(true);
    expect(isLive('finished')).toBe(false);
  });
});
