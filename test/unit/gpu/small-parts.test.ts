import { describe, expect, it } from 'vitest';
import { guessComputeCapability, needsPtxJit, tooOldForTf29 } from '../../../src-main/gpu/compute-capability';
import { driverSupportsCuda11 } from '../../../src-main/gpu/doctor';
import { parseLdconfig } from '../../../src-main/gpu/ldconfig';
import { LineSplitter } from '../../../src-main/gpu/line-splitter';
import { RingBuffer } from '../../../src-main/gpu/ring-buffer';
import { describeSmiFailure } from '../../../src-main/gpu/smi-failure';
import { buildWorkerEnv, CUDA_CACHE_MAX_BYTES, workerEnvOverrides } from '../../../src-main/gpu/worker-env';

describe('RingBuffer', () => {
  it('keeps the newest `capacity` items, oldest first', () => {
    const ring = new RingBuffer<number>(3);
    expect(ring.toArray()).toEqual([]);
    for (let i = 1; i <= 5; i++) ring.push(i);
    expect(ring.toArray()).toEqual([3, 4, 5]);
    expect(ring.size).toBe(3);
    expect(ring.last()).toBe(5);
    expect(() => new RingBuffer(0)).toThrow(/positive integer/);
  });
});

describe('LineSplitter', () => {
  it('joins lines split across chunks and holds back a partial line', () => {
    const s = new LineSplitter();
    expect(s.push('0, a, b\n1, c')).toEqual(['0, a, b']);
    expect(s.push(', d\r\n2, e')).toEqual(['1, c, d']);
    expect(s.flush()).toEqual(['2, e']);
    expect(s.flush()).toEqual([]);
  });
});

describe('compute capability', () => {
  it('flags PTX JIT above 8.0 only', () => {
    expect(['8.6', '8.9', '9.0', '10.0'].map(needsPtxJit)).toEqual([true, true, true, true]);
    expect(['8.0', '7.5', '7.0', 'x'].map(needsPtxJit)).toEqual([false, false, false, false]);
    expect(tooOldForTf29('3.0')).toBe(true);
    expect(tooOldForTf29('3.5')).toBe(false);
  });

  it('guesses common GPUs by name and admits ignorance otherwise', () => {
    expect(guessComputeCapability('NVIDIA H100 80GB HBM3')).toBe('9.0');
    expect(guessComputeCapability('NVIDIA GeForce RTX 4090')).toBe('8.9');
    expect(guessComputeCapability('NVIDIA GeForce RTX 3090')).toBe('8.6');
    expect(guessComputeCapability('NVIDIA A100-SXM4-80GB')).toBe('8.0');
    expect(guessComputeCapability('Tesla V100-SXM2-32GB')).toBe('7.0');
    expect(guessComputeCapability('Mystery Accelerator')).toBeNull();
  });

  it('checks the driver floor of CUDA 11', () => {
    expect(driverSupportsCuda11('450.80.02')).toBe(true);
    expect(driverSupportsCuda11('450.51.06')).toBe(false);
    expect(driverSupportsCuda11('580.159.04')).toBe(true);
    expect(driverSupportsCuda11('418.87.01')).toBe(false);
    expect(driverSupportsCuda11('garbage')).toBeNull();
  });
});

describe('worker environment', () => {
  it('pins a GPU by index with the cache and allocator settings', () => {
    expect(workerEnvOverrides({ device: { kind: 'gpu', index: 3 }, cudaCacheDir: '/data/cache/cuda' })).toEqual({
      CUDA_VISIBLE_DEVICES: '3',
      CUDA_DEVICE_ORDER: 'PCI_BUS_ID',
      TF_FORCE_GPU_ALLOW_GROWTH: 'true',
      CUDA_CACHE_PATH: '/data/cache/cuda',
      CUDA_CACHE_MAXSIZE: String(CUDA_CACHE_MAX_BYTES),
      TF_CPP_MIN_LOG_LEVEL: '1',
    });
  });

  it('pins by UUID, hides every GPU for a CPU worker, and drops CUDA_CACHE_DISABLE from the base env', () => {
    const uuid = 'GPU-7aeccd31-8678-7946-3551-e85e3a628802';
    expect(workerEnvOverrides({ device: { kind: 'gpu', uuid }, cudaCacheDir: '/c' }).CUDA_VISIBLE_DEVICES).toBe(uuid);
    const env = buildWorkerEnv({ PATH: '/bin', CUDA_CACHE_DISABLE: '1', CUDA_VISIBLE_DEVICES: '0,1' }, { device: { kind: 'cpu' }, cudaCacheDir: '/c', tfLogLevel: 2 });
    expect(env.CUDA_VISIBLE_DEVICES).toBe('-1');
    expect(env.TF_CPP_MIN_LOG_LEVEL).toBe('2');
    expect(env.PATH).toBe('/bin');
    expect(env).not.toHaveProperty('CUDA_CACHE_DISABLE');
  });

  it('rejects a bad index, UUID or cache size with a message that says what is allowed', () => {
    expect(() => workerEnvOverrides({ device: { kind: 'gpu', index: -1 }, cudaCacheDir: '/c' })).toThrow(/non-negative integer/);
    expect(() => workerEnvOverrides({ device: { kind: 'gpu', uuid: '0; rm -rf' }, cudaCacheDir: '/c' })).toThrow(/GPU-xxxxxxxx/);
    expect(() => workerEnvOverrides({ device: { kind: 'cpu' }, cudaCacheDir: '/c', cudaCacheMaxBytes: 8 * 1024 ** 3 })).toThrow(/4 GiB/);
  });
});

describe('parseLdconfig', () => {
  it('keeps 64-bit entries with their paths', () => {
    const text = '1234 libs found in cache `/etc/ld.so.cache\'\n\tlibcudnn.so.8 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcudnn.so.8\n\tlibcuda.so.1 (libc6) => /usr/lib32/libcuda.so.1\n\tlibcudart.so.11.0 (libc6,AArch64) => /usr/local/cuda/lib64/libcudart.so.11.0\n';
    expect(parseLdconfig(text)).toEqual([
      { soname: 'libcudnn.so.8', arch: 'libc6,x86-64', path: '/usr/lib/x86_64-linux-gnu/libcudnn.so.8' },
      { soname: 'libcudart.so.11.0', arch: 'libc6,AArch64', path: '/usr/local/cuda/lib64/libcudart.so.11.0' },
    ]);
  });
});

describe('describeSmiFailure', () => {
  it('recognises "no GPU" exits and words the others', () => {
    expect(describeSmiFailure(6, null, 'No devices were found', null).noGpu).toBe(true);
    expect(describeSmiFailure(9, null, "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.", null)).toMatchObject({ noGpu: true, message: expect.stringMatching(/driver/) });
    expect(describeSmiFailure(15, null, 'boom', null)).toEqual({ noGpu: false, message: 'nvidia-smi exited with code 15: boom; restarting it.' });
    expect(describeSmiFailure(null, 'SIGKILL', '', null).message).toBe('nvidia-smi was killed by SIGKILL; restarting it.');
  });
});
