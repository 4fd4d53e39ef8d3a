import { describe, expect, it } from 'vitest';
import type { CudaLibsReport } from '../../../src-main/gpu/cuda-libs';
import { buildGpuDoctorReport, renderGpuDoctorReport } from '../../../src-main/gpu/doctor';

const allFound: CudaLibsReport = {
  ok: true,
  ldconfigRead: true,
  searchedFolders: [],
  fixes: [],
  libs: [{ soname: 'libcudart.so.11.0', description: 'CUDA 11 runtime', family: 'cuda', status: 'found', path: '/usr/local/cuda-11.8/lib64/libcudart.so.11.0', via: 'ldconfig', otherVersions: [], fix: null }],
};

describe('GPU doctor report', () => {
  it('passes on an A100 box with the libraries, without the JIT note', () => {
    const report = buildGpuDoctorReport({
      gpus: { state: 'ok', smiPath: '/usr/bin/nvidia-smi', problems: [], gpus: [{ index: 0, name: 'NVIDIA A100-SXM4-80GB', memoryTotalMiB: 81920, computeCapability: '8.0', computeCapabilitySource: 'nvidia-smi', driverVersion: '535.154.05', pciBusId: '00000000:07:00.0' }] },
      libs: allFound,
      cudaCacheDir: '/data/cache/cuda',
    });
    expect(report.ok).toBe(true);
    expect(report.gpus[0]?.ptxJit).toBe(false);
    expect(report.checks.find((c) => c.id === 'cuda.cache')).toBeUndefined();
    const text = renderGpuDoctorReport(report);
    expect(text).toContain('[ok]   GPU 0: NVIDIA A100-SXM4-80GB: 80.0 GiB, compute capability 8.0.');
    expect(text).toContain('GPU checks passed.');
  });

  it('treats a machine without GPU as fine (CPU training), with library gaps as information only', () => {
    const missing: CudaLibsReport = { ...allFound, ok: false, libs: [{ ...allFound.libs[0]!, status: 'missing', path: null, via: null, fix: 'install it' }], fixes: ['install it'] };
    const report = buildGpuDoctorReport({ gpus: { state: 'no-gpu', reason: 'nvidia-smi was not found on PATH.' }, libs: missing, cudaCacheDir: null });
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.status)).toEqual(['info', 'info']);
    expect(renderGpuDoctorReport(report)).toMatch(/No NVIDIA GPU: nvidia-smi was not found on PATH\. Training and evaluation run on the CPU/);
  });

  it('fails an old driver and a GPU below compute capability 3.5, and warns when no JIT cache is set on Ada', () => {
    const report = buildGpuDoctorReport({
      gpus: {
        state: 'ok',
        smiPath: 'nvidia-smi',
        problems: [],
        gpus: [
          { index: 0, name: 'NVIDIA GeForce RTX 4090', memoryTotalMiB: 24564, computeCapability: '8.9', computeCapabilitySource: 'nvidia-smi', driverVersion: '418.87.01', pciBusId: null },
          { index: 1, name: 'Quadro K600', memoryTotalMiB: 1024, computeCapability: '3.0', computeCapabilitySource: 'nvidia-smi', driverVersion: '418.87.01', pciBusId: null },
        ],
      },
      libs: null,
      cudaCacheDir: null,
    });
    expect(report.ok).toBe(false);
    const byId = new Map(report.checks.map((c) => [c.id, c.status]));
    expect(byId.get('gpu.0')).toBe('info');
    expect(byId.get('gpu.1')).toBe('fail');
    expect(byId.get('gpu.driver')).toBe('fail');
    expect(byId.get('cuda.cache')).toBe('warn');
  });
});
