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

describe('GPU routes in the doctor report', () => {
  const h200 = { index: 0, name: 'NVIDIA H200', memoryTotalMiB: 143771, computeCapability: '9.0', computeCapabilitySource: 'nvidia-smi' as const, driverVersion: '550.54.15', pciBusId: null };
  const vulkanNvidia = { loader: '/usr/lib/x86_64-linux-gnu/libvulkan.so.1', icds: [{ file: '/usr/share/vulkan/icd.d/nvidia_icd.json', library: 'libGLX_nvidia.so.0', kind: 'nvidia' as const }], icdFolders: ['/usr/share/vulkan/icd.d'] };

  it('takes tensorflow where tfjs-node-gpu and the CUDA 11 libraries are there', () => {
    const report = buildGpuDoctorReport({ gpus: { state: 'ok', smiPath: 'nvidia-smi', problems: [], gpus: [h200] }, libs: allFound, cudaCacheDir: '/c', routeInputs: { packages: { tfjsNodeGpu: true, webgpu: true }, vulkan: vulkanNvidia } });
    expect(report.routes).toHaveLength(1);
    expect(report.routes[0]!.route).toBe('tensorflow');
    expect(renderGpuDoctorReport(report)).toContain('GPU 0 (NVIDIA H200): tensorflow (tfjs-node-gpu, CUDA 11)');
  });

  it('falls to webgpu without tfjs-node-gpu or CUDA 11, and says why for each route', () => {
    const missing: CudaLibsReport = { ...allFound, ok: false, libs: [{ ...allFound.libs[0]!, status: 'missing', path: null, via: null, fix: 'install it' }], fixes: ['install it'] };
    const report = buildGpuDoctorReport({ gpus: { state: 'ok', smiPath: 'nvidia-smi', problems: [], gpus: [h200, { ...h200, index: 1 }] }, libs: missing, cudaCacheDir: '/c', routeInputs: { packages: { tfjsNodeGpu: false, webgpu: true }, vulkan: vulkanNvidia } });
    expect(report.routes.map((r) => r.route)).toEqual(['webgpu', 'webgpu']);
    const text = renderGpuDoctorReport(report);
    expect(text).toContain('GPU 1 (NVIDIA H200): webgpu (Dawn, Vulkan)');
    expect(text).toMatch(/no  tensorflow: @tensorflow\/tfjs-node-gpu is not installed.*libcudart\.so\.11\.0/);
    expect(text).toMatch(/yes webgpu: Vulkan loader .*nvidia_icd\.json/);
  });

  it('says the CPU is used when neither route works, naming the Vulkan gap', () => {
    const report = buildGpuDoctorReport({ gpus: { state: 'ok', smiPath: 'nvidia-smi', problems: [], gpus: [h200] }, libs: null, cudaCacheDir: '/c', routeInputs: { packages: { tfjsNodeGpu: false, webgpu: true }, vulkan: { loader: null, icds: [], icdFolders: [] } } });
    expect(report.routes[0]!.route).toBeNull();
    expect(renderGpuDoctorReport(report)).toMatch(/GPU 0 \(NVIDIA H200\): none: training runs on the CPU[\s\S]*no  webgpu: the Vulkan loader libvulkan\.so\.1 is not installed/);
  });

  it('lists no routes on a machine without GPUs', () => {
    const report = buildGpuDoctorReport({ gpus: { state: 'no-gpu', reason: 'no nvidia-smi.' }, libs: null, cudaCacheDir: null, routeInputs: { packages: { tfjsNodeGpu: false, webgpu: true }, vulkan: null } });
    expect(report.routes).toEqual([]);
    expect(renderGpuDoctorReport(report)).not.toContain('Routes');
  });
});
