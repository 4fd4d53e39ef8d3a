/**
 * Environment of a training/eval worker process, per GPU. Pure: the caller merges it over its own env.
 *
 * - CUDA_VISIBLE_DEVICES pins the worker to one GPU (index or UUID; a UUID survives a reordering of
 *   the PCI bus after a reboot). "-1" hides every GPU, which is how a CPU-only worker is made: TensorFlow
 *   then does not even initialise CUDA (and does not grab memory on GPU 0).
 * - CUDA_DEVICE_ORDER=PCI_BUS_ID makes CUDA's numbering equal nvidia-smi's; CUDA's default ("fastest
 *   first") can differ on mixed machines, and then worker 0 would train on the GPU shown as GPU 1.
 * - TF_FORCE_GPU_ALLOW_GROWTH=true stops TensorFlow from reserving the whole GPU at start, so the
 *   monitor shows real usage and an evaluation can share a GPU with a small run.
 * - CUDA_CACHE_PATH / CUDA_CACHE_MAXSIZE: TF 2.9 JIT-compiles PTX on compute capability above 8.0
 *   (minutes on first use). The default cache (~/.nv/ComputeCache, 256 MiB) is too small for it and is
 *   evicted, so every start compiles again; a persistent folder of 4 GiB (CUDA's maximum) keeps it.
 * - CUDA_CACHE_DISABLE is removed for the same reason.
 * - TF_CPP_MIN_LOG_LEVEL=1 hides libtensorflow's INFO lines (dozens per start), keeps warnings.
 */

export const CUDA_CACHE_MAX_BYTES = 4 * 1024 ** 3;

export type WorkerDevice = { kind: 'gpu'; index: number } | { kind: 'gpu'; uuid: string } | { kind: 'cpu' };

export interface WorkerEnvOptions {
  device: WorkerDevice;
  /** Persistent folder for CUDA's JIT cache, e.g. `<dataDir>/cache/cuda`. */
  cudaCacheDir: string;
  cudaCacheMaxBytes?: number;
  /** 0 all, 1 no INFO (default), 2 no WARNING, 3 no ERROR. */
  tfLogLevel?: 0 | 1 | 2 | 3;
}

/** The variables to set for the worker. */
export function workerEnvOverrides(options: WorkerEnvOptions): Record<string, string> {
  const { device } = options;
  if (device.kind === 'gpu' && 'index' in device && (!Number.isInteger(device.index) || device.index < 0)) {
    throw new RangeError(`GPU index must be a non-negative integer, got ${device.index}`);
  }
  if (device.kind === 'gpu' && 'uuid' in device && !/^(GPU|MIG)-[0-9a-fA-F-]+$/.test(device.uuid)) {
    throw new RangeError(`GPU UUID must look like "GPU-xxxxxxxx-..." or "MIG-...", as nvidia-smi -L prints; got "${device.uuid}"`);
  }
  const cacheMax = options.cudaCacheMaxBytes ?? CUDA_CACHE_MAX_BYTES;
  if (!Number.isInteger(cacheMax) || cacheMax <= 0 || cacheMax > CUDA_CACHE_MAX_BYTES) {
    throw new RangeError(`cudaCacheMaxBytes must be an integer in 1..${CUDA_CACHE_MAX_BYTES} (CUDA caps it at 4 GiB), got ${cacheMax}`);
  }
  const visible = device.kind === 'cpu' ? '-1' : 'index' in device ? String(device.index) : device.uuid;
  return {
    CUDA_VISIBLE_DEVICES: visible,
    CUDA_DEVICE_ORDER: 'PCI_BUS_ID',
    TF_FORCE_GPU_ALLOW_GROWTH: 'true',
    CUDA_CACHE_PATH: options.cudaCacheDir,
    CUDA_CACHE_MAXSIZE: String(cacheMax),
    TF_CPP_MIN_LOG_LEVEL: String(options.tfLogLevel ?? 1),
  };
}

/** `base` (usually process.env) with the overrides applied and CUDA_CACHE_DISABLE dropped. */
export function buildWorkerEnv(base: NodeJS.ProcessEnv, options: WorkerEnvOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined && k !== 'CUDA_CACHE_DISABLE') env[k] = v;
  return { ...env, ...workerEnvOverrides(options) };
}
