import { describe, expect, it } from 'vitest';
import { LocalCommunicator } from '../../../src-worker/dist/communicator';
import { communicatorFromEnv, distEnv, readDistEnv } from '../../../src-worker/dist/env';
import { createCommunicator } from '../../../src-worker/dist/shm-communicator';

describe('distribution environment', () => {
  it('round-trips what the launcher sets', () => {
    const env = distEnv({ dir: '/dev/shm/x', rank: 2, worldSize: 4, runId: 'run-7', timeoutMs: 9000 });
    expect(env).toEqual({
      CLIPWB_DIST_DIR: '/dev/shm/x', CLIPWB_RANK: '2', CLIPWB_WORLD_SIZE: '4',
      CLIPWB_DIST_RUN_ID: 'run-7', CLIPWB_DIST_TIMEOUT_MS: '9000',
    });
    expect(readDistEnv(env)).toEqual({ dir: '/dev/shm/x', rank: 2, worldSize: 4, runId: 'run-7', timeoutMs: 9000 });
  });

  it('means a single process when absent, or when the world size is 1', () => {
    expect(readDistEnv({})).toBeUndefined();
    expect(communicatorFromEnv({})).toBeInstanceOf(LocalCommunicator);
    expect(communicatorFromEnv(distEnv({ dir: '/nonexistent', rank: 0, worldSize: 1 }))).toBeInstanceOf(LocalCommunicator);
  });

  it('names the missing or malformed variable', () => {
    expect(() => readDistEnv({ CLIPWB_RANK: '0' })).toThrow(/CLIPWB_RANK set but CLIPWB_DIST_DIR and CLIPWB_WORLD_SIZE missing/);
    expect(() => readDistEnv(distEnv({ dir: '/d', rank: 4, worldSize: 4 }))).toThrow(/CLIPWB_RANK must be an integer in \[0, 3\], got '4'/);
    expect(() => readDistEnv({ CLIPWB_DIST_DIR: '/d', CLIPWB_RANK: '0', CLIPWB_WORLD_SIZE: 'two' }))
      .toThrow(/CLIPWB_WORLD_SIZE must be an integer/);
  });
});

describe('createCommunicator', () => {
  it('rejects a rank outside the world before touching the folder', () => {
    expect(() => createCommunicator({ dir: '/nonexistent/x', rank: 3, worldSize: 3 })).toThrow(/rank must be an integer in \[0, 2\]/);
    expect(() => createCommunicator({ dir: '', rank: 0, worldSize: 2 })).toThrow(/dir must name the folder/);
  });
});

describe('LocalCommunicator', () => {
  it('returns copies, so callers may modify results without touching their inputs', () => {
    const c = new LocalCommunicator();
    const x = Float32Array.of(1, 2, 3);
    const y = c.allReduceMean(x);
    y[0] = 9;
    expect(Array.from(x)).toEqual([1, 2, 3]);
    expect(Array.from(c.allGatherInt(Int32Array.of(4)))).toEqual([4]);
    const out = new Float32Array(3);
    c.allReduceMeanInto(x, out);
    expect(Array.from(out)).toEqual([1, 2, 3]);
    expect(() => c.allReduceMeanInto(x, new Float32Array(2))).toThrow(/out has 2 elements, data 3/);
  });
});
