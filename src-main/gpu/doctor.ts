/**
 * The GPU part of `clipwb doctor`: GPUs (name, memory, compute capability), driver, the CUDA 11 /
 * cuDNN 8 libraries TensorFlow 2.9 needs, and the CUDA JIT cache. A structured report (for the UI and
 * `--json`) and a plain-text rendering; the CLI adds the backend checks.
 */
import { checkCudaLibs, type CudaLibsOptions, type CudaLibsReport } from './cuda-libs';
import { needsPtxJit, tooOldForTf29 } from './compute-capability';
import { queryGpuStatic, type GpuStaticQueryResult, type StaticGpu } from './static-query';
import { CUDA_CACHE_MAX_BYTES } from './worker-env';
import { gpuRoutes, renderRoutes, type GpuRoute, type RouteInputs } from './routes';
import { checkVulkan } from '../../src-worker/backend/vulkan';
import { createRequire } from 'node:module';

export type DoctorStatus = 'ok' | 'info' | 'warn' | 'fail';

export interface DoctorCheck {
  id: string;
  status: DoctorStatus;
  title: string;
  detail: string;
  fix: string | null;
}

export interface DoctorGpu extends StaticGpu {
  /** Compute capability above 8.0: TF 2.9 JIT-compiles PTX on first use (minutes; cached). */
  ptxJit: boolean;
}

export interface GpuDoctorReport {
  gpuState: GpuStaticQueryResult['state'];
  gpus: DoctorGpu[];
  libs: CudaLibsReport | null;
  cudaCacheDir: string | null;
  checks: DoctorCheck[];
  /** Per GPU: the route (tensorflow with CUDA 11, webgpu) the auto backend would take, and why. */
  routes: GpuRoute[];
  /** No check failed. A machine without GPU is ok: it trains on the CPU. */
  ok: boolean;
}

/** CUDA 11.x runs on Linux drivers from 450.80.02 on (CUDA minor-version compatibility). */
const MIN_DRIVER_FOR_CUDA11 = [450, 80, 2];

export function driverSupportsCuda11(version: string): boolean | null {
  const parts = version.split('.').map((p) => Number(p));
  if (parts.length < 2 || parts.some((p) => !Number.isFinite(p))) return null;
  for (let i = 0; i < MIN_DRIVER_FOR_CUDA11.length; i++) {
    const have = parts[i] ?? 0;
    const need = MIN_DRIVER_FOR_CUDA11[i] ?? 0;
    if (have !== need) return have > need;
  }
  return true;
}

export function buildGpuDoctorReport(input: {
  gpus: GpuStaticQueryResult;
  libs: CudaLibsReport | null;
  /** The CUDA_CACHE_PATH the workers will get. */
  cudaCacheDir: string | null;
  /** Installed packages and Vulkan, for the routes; without them no routes are listed. */
  routeInputs?: Omit<RouteInputs, 'libs' | 'driverOk'>;
}): GpuDoctorReport {
  const checks: DoctorCheck[] = [];
  const gpus: DoctorGpu[] = input.gpus.state === 'ok' ? input.gpus.gpus.map((g) => ({ ...g, ptxJit: g.computeCapability ? needsPtxJit(g.computeCapability) : false })) : [];

  if (input.gpus.state === 'no-gpu') {
    checks.push({ id: 'gpu.present', status: 'info', title: 'No NVIDIA GPU', detail: `${input.gpus.reason} Training and evaluation run on the CPU (wasm backend).`, fix: null });
  } else if (input.gpus.state === 'error') {
    checks.push({ id: 'gpu.present', status: 'fail', title: 'nvidia-smi failed', detail: input.gpus.reason, fix: 'Run nvidia-smi in a terminal; fix the driver until it lists the GPUs.' });
  } else {
    for (const g of gpus) {
      const mem = g.memoryTotalMiB === null ? 'memory unknown' : `${(g.memoryTotalMiB / 1024).toFixed(1)} GiB`;
      const cc = g.computeCapability === null ? 'compute capability unknown' : `compute capability ${g.computeCapability}${g.computeCapabilitySource === 'name' ? ' (guessed from the name: this driver cannot report it)' : ''}`;
      if (g.computeCapability !== null && tooOldForTf29(g.computeCapability)) {
        checks.push({ id: `gpu.${g.index}`, status: 'fail', title: `GPU ${g.index}: ${g.name}`, detail: `${mem}, ${cc}: TensorFlow 2.9 needs 3.5 or newer.`, fix: 'Use another GPU, or train on the CPU.' });
      } else if (g.ptxJit) {
        checks.push({
          id: `gpu.${g.index}`,
          status: 'info',
          title: `GPU ${g.index}: ${g.name}`,
          detail: `${mem}, ${cc}. TensorFlow 2.9 has no machine code for compute capability above 8.0, so the driver JIT-compiles its PTX the first time: the first start takes several minutes, later starts reuse the cache in CUDA_CACHE_PATH.`,
          fix: null,
        });
      } else {
        checks.push({ id: `gpu.${g.index}`, status: 'ok', title: `GPU ${g.index}: ${g.name}`, detail: `${mem}, ${cc}.`, fix: null });
      }
    }
    const drivers = [...new Set(gpus.map((g) => g.driverVersion).filter((v): v is string => v !== null))];
    for (const version of drivers) {
      const supported = driverSupportsCuda11(version);
      checks.push(
        supported === false
          ? { id: 'gpu.driver', status: 'fail', title: `Driver ${version}`, detail: 'CUDA 11 needs driver 450.80.02 or newer.', fix: 'Install a newer NVIDIA driver (535 or later) and reboot.' }
          : { id: 'gpu.driver', status: 'ok', title: `Driver ${version}`, detail: 'Runs CUDA 11 (and newer drivers run older CUDA).', fix: null },
      );
    }
  }

  if (input.libs) {
    for (const lib of input.libs.libs) {
      const others = lib.otherVersions.length > 0 ? `; also present: ${lib.otherVersions.join(', ')}` : '';
      checks.push({
        id: `cuda.${lib.soname}`,
        status: lib.status === 'found' ? 'ok' : input.gpus.state === 'ok' ? 'fail' : 'info',
        title: `${lib.soname} (${lib.description})`,
        detail:
          lib.status === 'found'
            ? `found: ${lib.path ?? '?'} (via ${lib.via ?? '?'})${others}`
            : lib.status === 'off-path'
              ? `present at ${lib.path ?? '?'} but not on the loader's path${others}`
              : `missing${others}`,
        fix: lib.fix,
      });
    }
    if (!input.libs.ldconfigRead) {
      checks.push({ id: 'cuda.ldconfig', status: 'warn', title: 'ldconfig -p could not be read', detail: 'Only LD_LIBRARY_PATH and the usual CUDA folders were searched.', fix: null });
    }
  }

  if (gpus.some((g) => g.ptxJit)) {
    checks.push({
      id: 'cuda.cache',
      status: input.cudaCacheDir ? 'ok' : 'warn',
      title: 'CUDA JIT cache',
      detail: input.cudaCacheDir
        ? `Workers set CUDA_CACHE_PATH=${input.cudaCacheDir} and CUDA_CACHE_MAXSIZE=${CUDA_CACHE_MAX_BYTES} (4 GiB), so the PTX compiled on first use is kept between runs.`
        : 'No persistent CUDA_CACHE_PATH: every worker start may JIT-compile again for minutes.',
      fix: input.cudaCacheDir ? null : `Set CUDA_CACHE_PATH to a persistent folder and CUDA_CACHE_MAXSIZE=${CUDA_CACHE_MAX_BYTES}.`,
    });
  }

  const driverVersions = gpus.map((g) => g.driverVersion).filter((v): v is string => v !== null);
  const driverChecks = driverVersions.map((v) => driverSupportsCuda11(v));
  const routes = input.routeInputs
    ? gpuRoutes(gpus, { ...input.routeInputs, libs: input.libs, driverOk: driverChecks.includes(false) ? false : driverChecks.includes(true) ? true : null })
    : [];

  return {
    gpuState: input.gpus.state,
    gpus,
    libs: input.libs,
    cudaCacheDir: input.cudaCacheDir,
    checks,
    routes,
    ok: checks.every((c) => c.status !== 'fail'),
  };
}

export async function runGpuDoctor(
  options: { env?: NodeJS.ProcessEnv; cudaCacheDir?: string | null; smiPath?: string; libs?: Omit<CudaLibsOptions, 'env'> } = {},
): Promise<GpuDoctorReport> {
  const env = options.env ?? process.env;
  const [gpus, libs] = await Promise.all([
    queryGpuStatic({ env, ...(options.smiPath ? { smiPath: options.smiPath } : {}) }),
    checkCudaLibs({ env, ...options.libs }),
  ]);
  const installed = (pkg: string): boolean => {
    try {
      createRequire(import.meta.url).resolve(`${pkg}/package.json`);
      return true;
    } catch {
      return false;
    }
  };
  return buildGpuDoctorReport({
    gpus,
    libs,
    cudaCacheDir: options.cudaCacheDir ?? null,
    routeInputs: { packages: { tfjsNodeGpu: installed('@tensorflow/tfjs-node-gpu'), webgpu: installed('webgpu') }, vulkan: checkVulkan(env) },
  });
}

const MARK: Record<DoctorStatus, string> = { ok: '[ok]  ', info: '[info]', warn: '[warn]', fail: '[FAIL]' };

export function renderGpuDoctorReport(report: GpuDoctorReport): string {
  const lines: string[] = ['GPU and CUDA (for @tensorflow/tfjs-node-gpu 4.22 = TensorFlow 2.9.1: CUDA 11.2+ 11.x, cuDNN 8.1+ 8.x)'];
  for (const c of report.checks) {
    lines.push(`  ${MARK[c.status]} ${c.title}: ${c.detail}`);
    if (c.fix && (c.status === 'warn' || c.status === 'fail')) lines.push(`         fix: ${c.fix}`);
  }
  if (report.libs && report.libs.fixes.length > 0 && report.gpuState === 'ok') {
    lines.push('  To do:');
    report.libs.fixes.forEach((f, i) => lines.push(`    ${i + 1}. ${f}`));
  }
  for (const line of renderRoutes(report.routes)) lines.push(`  ${line}`);
  lines.push(report.gpuState === 'no-gpu' ? '  No GPU to check: training runs on the CPU.'
    : report.ok ? '  GPU checks passed.' : '  Some GPU checks failed: the GPU backend will not load until they are fixed; training falls back to the CPU.');
  return lines.join('\n');
}
