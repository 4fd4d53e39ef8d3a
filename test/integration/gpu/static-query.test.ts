import path from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { queryGpuStatic } from '../../../src-main/gpu/static-query';
import { runGpuDoctor, renderGpuDoctorReport } from '../../../src-main/gpu/doctor';

const fakeDir = fileURLToPath(new URL('../../helpers/fake-nvidia-smi', import.meta.url));
const fixtures = fileURLToPath(new URL('../../fixtures/nvidia-smi', import.meta.url));
const env = (fixture: string): NodeJS.ProcessEnv => ({ ...process.env, PATH: `${fakeDir}${path.delimiter}${process.env.PATH ?? ''}`, FAKE_NVIDIA_SMI_FIXTURE: fixture });

describe('static GPU query through a fake nvidia-smi', () => {
  it('reads name, memory, compute capability, driver and bus id', async () => {
    const result = await queryGpuStatic({ env: env('h100-1gpu') });
    expect(result).toMatchObject({
      state: 'ok',
      gpus: [{ index: 0, name: 'NVIDIA H100 80GB HBM3', memoryTotalMiB: 81559, computeCapability: '9.0', computeCapabilitySource: 'nvidia-smi', driverVersion: '580.159.04', pciBusId: '00000000:00:06.0' }],
      problems: [],
    });
  });

  it('falls back to the query without compute_cap on an old driver and guesses it from the name', async () => {
    const result = await queryGpuStatic({ env: env('old-driver-2gpu') });
    expect(result.state).toBe('ok');
    if (result.state !== 'ok') return;
    expect(result.gpus.map((g) => [g.name, g.computeCapability, g.computeCapabilitySource, g.driverVersion])).toEqual([
      ['Tesla K80', '3.7', 'name', '470.82.01'],
      ['NVIDIA GeForce GT 710', '3.5', 'name', '470.82.01'],
    ]);
  });

  it('says "no GPU" when nvidia-smi is absent or finds no device', async () => {
    expect(await queryGpuStatic({ env: { ...process.env, PATH: path.join(tmpdir(), 'nowhere') } })).toMatchObject({ state: 'no-gpu' });
    expect(await queryGpuStatic({ env: env('no-devices') })).toMatchObject({ state: 'no-gpu', reason: expect.stringMatching(/no NVIDIA GPU/) });
  });

  it('runs the GPU doctor on the recorded H100 box: GPU found, PTX JIT note, CUDA 11 libraries missing beside CUDA 13', async () => {
    const { readFile } = await import('node:fs/promises');
    const ldconfigOutput = await readFile(path.join(fixtures, 'h100-1gpu', 'ldconfig-p.txt'), 'utf8');
    const report = await runGpuDoctor({ env: env('h100-1gpu'), cudaCacheDir: '/data/cache/cuda', libs: { ldconfigOutput, folders: [] } });
    expect(report.ok).toBe(false);
    expect(report.gpus[0]).toMatchObject({ computeCapability: '9.0', ptxJit: true });
    const byId = new Map(report.checks.map((c) => [c.id, c]));
    expect(byId.get('gpu.0')?.detail).toMatch(/JIT-compiles/);
    expect(byId.get('cuda.libcudart.so.11.0')).toMatchObject({ status: 'fail' });
    expect(byId.get('cuda.libcudart.so.11.0')?.detail).toMatch(/libcudart\.so\.13/);
    expect(byId.get('cuda.libcurand.so.10')).toMatchObject({ status: 'ok' });
    expect(byId.get('cuda.libcuda.so.1')).toMatchObject({ status: 'ok' });
    expect(byId.get('cuda.libcudnn.so.8')?.fix).toMatch(/libcudnn8/);
    expect(byId.get('cuda.cache')).toMatchObject({ status: 'ok' });
    const text = renderGpuDoctorReport(report);
    expect(text).toContain('[FAIL] libcublas.so.11');
    expect(text).toMatch(/sudo apt-get install cuda-cudart-11-8 libcublas-11-8 libcufft-11-8 libcusolver-11-8 libcusparse-11-8 libcudnn8/);
  });
});
