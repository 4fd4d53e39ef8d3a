/**
 * Picks the TensorFlow.js backend a worker computes on, and says why.
 *
 * Order unless the user names one: `tensorflow` (@tensorflow/tfjs-node-gpu, then @tensorflow/tfjs-node;
 * both optional dependencies because their install downloads libtensorflow), then `webgpu` (Dawn from the
 * optional `webgpu` package, where it finds a GPU adapter), then `wasm` (SIMD, ships in npm; matMul,
 * exp, erf and transposes through the optional native/blas addon where it is built), then `cpu` (pure
 * JavaScript, a last resort). Model, loss and optimiser code is the same on every
 * backend; the kernels wasm lacks for training are registered here.
 */
import * as tf from '@tensorflow/tfjs';
import { installWasmBatchMatMul } from './kernels/batch-matmul-wasm';
import { installWasmUnsortedSegmentSum } from './kernels/unsorted-segment-sum-wasm';
import { installWasmZeroCopyIdentity } from './kernels/identity-wasm';
import { installWasmHeapSlice } from './kernels/slice-wasm';
import { installWasmRowGather } from './kernels/gather-wasm';
import { installWasmBatchedMatMul } from './kernels/batched-matmul-wasm';
import { installWasmPaddedTranspose } from './kernels/transpose-wasm';
import { installWasmLeadingAxisSum } from './kernels/sum-wasm';
import { installNativeBatchMatMul } from './kernels/batch-matmul-native';
import { installNativeElementwise } from './kernels/native-elementwise';
import { loadNativeBlas, type NativeBlasLoad } from './native-blas';
import { probeWebgpu, startWebgpu, type WebgpuProbe } from './webgpu';

export const BACKEND_NAMES = ['tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export type BackendPreference = BackendName | 'auto';

export interface BackendAttempt {
  /** `tfjs-node-gpu`, `tfjs-node`, `webgpu`, `wasm` or `cpu`. */
  candidate: string;
  ok: boolean;
  /** Why it was chosen or skipped, in words a user can act on. */
  reason: string;
}

export interface BackendReport {
  name: BackendName;
  /** For `tensorflow`: which package provided it. */
  provider: string;
  /** True where the backend computes on a GPU (tfjs-node-gpu with CUDA visible, or webgpu). */
  gpu: boolean;
  attempts: BackendAttempt[];
  details: Record<string, string | number | boolean>;
}

let current: BackendReport | undefined;
let nativeBlas: NativeBlasLoad | undefined;

function describeError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') {
    return 'not installed (its install downloads libtensorflow; run `npm install` on a machine with internet access)';
  }
  const msg = String(e?.message ?? err).split('\n')[0] ?? '';
  if (/libtensorflow|cannot open shared object/i.test(msg)) {
    return `installed but libtensorflow could not be loaded: ${msg}`;
  }
  return msg;
}

async function tryTensorflow(pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node', attempts: BackendAttempt[]): Promise<boolean> {
  const candidate = pkg.replace('@tensorflow/', '');
  try {
    await import(pkg);
    const ok = await tf.setBackend('tensorflow');
    if (!ok) throw new Error('tf.setBackend("tensorflow") returned false');
    await tf.ready();
    attempts.push({ candidate, ok: true, reason: 'loaded' });
    return true;
  } catch (err) {
    attempts.push({ candidate, ok: false, reason: describeError(err) });
    return false;
  }
}

/** Seams for tests: how the webgpu backend is probed and started. */
export interface BackendDeps {
  probeWebgpu?: () => Promise<WebgpuProbe>;
  startWebgpu?: (probe: Extract<WebgpuProbe, { ok: true }>) => Promise<void>;
}

async function tryWebgpu(attempts: BackendAttempt[], deps: BackendDeps): Promise<string | null> {
  try {
    const probe = await (deps.probeWebgpu ?? probeWebgpu)();
    if (!probe.ok) {
      attempts.push({ candidate: 'webgpu', ok: false, reason: probe.reason });
      return null;
    }
    await (deps.startWebgpu ?? startWebgpu)(probe);
    attempts.push({ candidate: 'webgpu', ok: true, reason: `Dawn adapter: ${probe.adapter}` });
    return probe.adapter;
  } catch (err) {
    attempts.push({ candidate: 'webgpu', ok: false, reason: `the webgpu backend did not start: ${String((err as Error)?.message ?? err).split('\n')[0]}` });
    return null;
  }
}

async function tryWasm(attempts: BackendAttempt[]): Promise<boolean> {
  try {
    await import('@tensorflow/tfjs-backend-wasm');
    installWasmPaddedTranspose(); // first: the BatchMatMul kernels below transpose through it
    installWasmBatchMatMul();
    installWasmUnsortedSegmentSum();
    installWasmZeroCopyIdentity();
    installWasmHeapSlice();
    installWasmRowGather();
    installWasmLeadingAxisSum();
    installWasmBatchedMatMul(); // wraps the BatchMatMul installed above
    // Optional: matMul through OpenBLAS on the wasm heap; the kernels above stay for what it declines.
    nativeBlas = loadNativeBlas();
    if (nativeBlas.ok) {
      installNativeBatchMatMul(nativeBlas.blas);
      installNativeElementwise(nativeBlas.blas);
    }
    const ok = await tf.setBackend('wasm');
    if (!ok) throw new Error('tf.setBackend("wasm") returned false');
    await tf.ready();
    const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
    const matmul = nativeBlas.ok ? `; matMul through OpenBLAS (${nativeBlas.description}), native exp/erf/transpose/sum` : `; matMul in wasm (${nativeBlas.reason})`;
    attempts.push({ candidate: 'wasm', ok: true, reason: (simd ? 'loaded with SIMD, single-threaded' : 'loaded without SIMD (slow)') + matmul });
    return true;
  } catch (err) {
    attempts.push({ candidate: 'wasm', ok: false, reason: describeError(err) });
    return false;
  }
}

async function tryCpu(attempts: BackendAttempt[]): Promise<boolean> {
  const ok = await tf.setBackend('cpu');
  await tf.ready();
  attempts.push({ candidate: 'cpu', ok, reason: ok ? 'pure JavaScript kernels (slow; a last resort)' : 'failed to start' });
  return ok;
}

/**
 * Initialises the backend once per process. Calling again with the same preference returns the same
 * report; calling with another preference switches backend (tests use this to compare backends).
 */
export async function initBackend(preference: BackendPreference = 'auto', deps: BackendDeps = {}): Promise<BackendReport> {
  if (current && (preference === 'auto' || preference === current.name) && tf.getBackend() === current.name) return current;
  const attempts: BackendAttempt[] = [];
  const wantTf = preference === 'auto' || preference === 'tensorflow';
  const wantWebgpu = preference === 'auto' || preference === 'webgpu';
  const wantWasm = preference === 'auto' || preference === 'wasm';
  let name: BackendName | undefined;
  let provider = '';
  let adapter: string | null = null;

  if (wantTf) {
    if (await tryTensorflow('@tensorflow/tfjs-node-gpu', attempts)) { name = 'tensorflow'; provider = 'tfjs-node-gpu'; }
    else if (await tryTensorflow('@tensorflow/tfjs-node', attempts)) { name = 'tensorflow'; provider = 'tfjs-node'; }
  }
  if (!name && wantWebgpu && (adapter = await tryWebgpu(attempts, deps)) !== null) { name = 'webgpu'; provider = 'tfjs-backend-webgpu (Dawn)'; }
  if (!name && wantWasm && (await tryWasm(attempts))) { name = 'wasm'; provider = 'tfjs-backend-wasm'; }
  if (!name && (preference === 'auto' || preference === 'cpu') && (await tryCpu(attempts))) { name = 'cpu'; provider = 'tfjs-backend-cpu'; }
  if (!name) {
    const why = attempts.map((a) => `${a.candidate}: ${a.reason}`).join('; ');
    throw new Error(`backend "${preference}" could not be started (${why}). Use --backend auto to fall back to another backend.`);
  }

  const details: Record<string, string | number | boolean> = { tfjs: tf.version_core };
  if (name === 'wasm') {
    details.simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
    details.nativeBlas = nativeBlas?.ok ? nativeBlas.description : false;
  }
  // tfjs-node-gpu falls back to the CPU when CUDA libraries are missing; the doctor explains why.
  if (name === 'webgpu' && adapter !== null) details.adapter = adapter;
  const gpu = name === 'webgpu' ||
    (provider === 'tfjs-node-gpu' && (process.env.CUDA_VISIBLE_DEVICES ?? '0') !== '' && process.env.CUDA_VISIBLE_DEVICES !== '-1');
  current = { name, provider, gpu, attempts, details };
  return current;
}

/**
 * True when the active backend multiplies transposed operands as fast as plain ones (wasm with the native
 * BLAS addon), so model code need not transpose explicitly before a matMul.
 */
export function transposedMatMulIsFree(): boolean {
  return nativeBlas?.ok === true && tf.getBackend() === 'wasm';
}

export function currentBackend(): BackendReport | undefined {
  return current;
}

export function parseBackendPreference(value: string | undefined): BackendPreference {
  const v = (value ?? 'auto').trim().toLowerCase();
  if (v === 'auto' || (BACKEND_NAMES as readonly string[]).includes(v)) return v as BackendPreference;
  throw new Error(`backend: "${value}" is not one of auto, ${BACKEND_NAMES.join(', ')}`);
}

export function formatBackendReport(r: BackendReport): string {
  const lines = [`backend: ${r.name} (${r.provider})${r.gpu ? ' on GPU' : ''}`];
  for (const a of r.attempts) lines.push(`  ${a.ok ? 'ok  ' : 'skip'} ${a.candidate}: ${a.reason}`);
  return lines.join('\n');
}
