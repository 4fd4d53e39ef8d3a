import { describe, expect, it } from 'vitest';
import { decide, type GpuState, type SchedulerState } from '../../../src-main/runs/scheduler';

const gpu = (index: number, o: Partial<GpuState> = {}): GpuState => ({
  index, uuid: `GPU-${index}-uuid`, memoryUsedMiB: 200, memoryTotalMiB: 81_559, utilization: 0, pids: [], ...o,
});

const state = (o: Partial<SchedulerState> = {}): SchedulerState => ({
  gpus: [gpu(0), gpu(1), gpu(2), gpu(3)], allocated: new Set(), ourPids: new Set(), cpuRuns: 0, cpuSlots: 1, ...o,
});

describe('scheduler: which devices a queued run gets', () => {
  it('gives the first free GPUs, one worker per GPU', () => {
    expect(decide({ nproc: 2, devices: [] }, state())).toEqual({
      kind: 'start', devices: [{ kind: 'gpu', index: 0 }, { kind: 'gpu', index: 1 }], labels: ['gpu:0', 'gpu:1'],
    });
  });

  it('skips GPUs our own runs hold', () => {
    const d = decide({ nproc: 2, devices: [] }, state({ allocated: new Set([0, 2]) }));
    expect(d).toMatchObject({ kind: 'start', labels: ['gpu:1', 'gpu:3'] });
    expect(decide({ nproc: 3, devices: [] }, state({ allocated: new Set([0, 2]) }))).toEqual({ kind: 'wait', reason: 'waiting for 3 free GPU(s) (2 free now)' });
  });

  it('counts a GPU with another program\'s process as busy, but not one with only our processes', () => {
    const gpus = [gpu(0, { pids: [4242] }), gpu(1, { pids: [777] })];
    expect(decide({ nproc: 1, devices: [] }, state({ gpus, ourPids: new Set([777]) }))).toMatchObject({ kind: 'start', labels: ['gpu:1'] });
    expect(decide({ nproc: 1, devices: [] }, state({ gpus }))).toEqual({ kind: 'wait', reason: 'waiting for 1 free GPU(s) (0 free now)' });
  });

  it('counts a GPU over the memory or utilisation threshold as busy (nvidia-smi shows no PIDs in containers)', () => {
    const gpus = [
      gpu(0, { memoryUsedMiB: 9_000, memoryTotalMiB: 80_000 }), // 11 % used: over the default 10 %
      gpu(1, { utilization: 21 }), // over the default 20 %
      gpu(2, { memoryUsedMiB: 7_000, memoryTotalMiB: 80_000, utilization: 20 }), // at the limits: free
    ];
    expect(decide({ nproc: 1, devices: [] }, state({ gpus }))).toMatchObject({ kind: 'start', labels: ['gpu:2'] });
    expect(decide({ nproc: 2, devices: [] }, state({ gpus }))).toMatchObject({ kind: 'wait' });
    // Looser thresholds make GPU 0 and 1 usable.
    expect(decide({ nproc: 3, devices: [] }, state({ gpus, memoryFreeFraction: 0.5, maxUtilization: 50 }))).toMatchObject({ kind: 'start', labels: ['gpu:0', 'gpu:1', 'gpu:2'] });
  });

  it('treats unknown memory and utilisation ([N/A]) as free', () => {
    const gpus = [gpu(0, { memoryUsedMiB: null, memoryTotalMiB: null, utilization: null })];
    expect(decide({ nproc: 1, devices: [] }, state({ gpus }))).toMatchObject({ kind: 'start', labels: ['gpu:0'] });
  });

  it('honours pinned devices by index or UUID, waiting while one is busy', () => {
    expect(decide({ nproc: 2, devices: ['3', 'GPU-1-uuid'] }, state())).toEqual({
      kind: 'start', devices: [{ kind: 'gpu', index: 3 }, { kind: 'gpu', index: 1 }], labels: ['gpu:3', 'gpu:1'],
    });
    expect(decide({ nproc: 1, devices: ['2'] }, state({ allocated: new Set([2]) }))).toEqual({ kind: 'wait', reason: 'waiting for GPU 2 to be free' });
    // A pinned run never moves to another free GPU.
    expect(decide({ nproc: 1, devices: ['0'] }, state({ gpus: [gpu(0, { utilization: 95 }), gpu(1)] }))).toMatchObject({ kind: 'wait' });
  });

  it('refuses pinned devices that cannot work, saying why', () => {
    expect(decide({ nproc: 1, devices: ['9'] }, state())).toEqual({ kind: 'error', reason: 'devices: GPU "9" is not on this machine (GPUs: 0, 1, 2, 3)' });
    expect(decide({ nproc: 1, devices: ['0'] }, state({ gpus: [] }))).toEqual({ kind: 'error', reason: 'devices: GPU "0" is not on this machine (GPUs: none)' });
    expect(decide({ nproc: 2, devices: ['1', '1'] }, state())).toEqual({ kind: 'error', reason: 'devices: GPU "1" is listed twice; each worker process needs its own GPU' });
    expect(decide({ nproc: 2, devices: ['cpu', '1'] }, state())).toMatchObject({ kind: 'error', reason: expect.stringMatching(/"cpu" cannot be combined with GPUs/) });
  });

  it('refuses more worker processes than the machine has GPUs', () => {
    expect(decide({ nproc: 5, devices: [] }, state())).toEqual({ kind: 'error', reason: 'nproc 5 asks for more GPUs than this machine has (4)' });
  });

  it('runs on the CPU without GPUs or when asked, within the CPU slots', () => {
    expect(decide({ nproc: 2, devices: [] }, state({ gpus: [] }))).toEqual({ kind: 'start', devices: [{ kind: 'cpu' }, { kind: 'cpu' }], labels: ['cpu'] });
    expect(decide({ nproc: 1, devices: ['cpu'] }, state())).toEqual({ kind: 'start', devices: [{ kind: 'cpu' }], labels: ['cpu'] });
    expect(decide({ nproc: 1, devices: ['cpu'] }, state({ cpuRuns: 1 }))).toEqual({ kind: 'wait', reason: 'waiting for the CPU (1 CPU run(s) already running)' });
    expect(decide({ nproc: 1, devices: [] }, state({ gpus: [], cpuRuns: 1, cpuSlots: 2 }))).toMatchObject({ kind: 'start' });
    // nproc larger than the GPU count is fine on the CPU: the workers share the cores.
    expect(decide({ nproc: 8, devices: ['cpu'] }, state())).toMatchObject({ kind: 'start', labels: ['cpu'] });
  });
});
