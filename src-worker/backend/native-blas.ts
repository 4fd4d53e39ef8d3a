/**
 * Loads the optional native BLAS addon (native/blas: OpenBLAS's sgemm over the wasm heap, in place).
 *
 * The addon is built by `npm run build:native` (also tried after `npm install`) from Debian's
 * libopenblas-dev; nothing is downloaded. Where it is missing or does not load, the wasm backend keeps its
 * own matMul and the reason is reported with the backend. Environment:
 *   CLIPWB_NATIVE_BLAS=0        do not use it (compare against the plain wasm path)
 *   CLIPWB_NATIVE_BLAS=<path>   load this .node file instead of the built one
 *   CLIPWB_BLAS_THREADS=<n>     OpenBLAS threads per process (default 1: one worker process per core)
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export interface NativeBlas {
  sgemm(heap: ArrayBuffer, transA: boolean, transB: boolean, m: number, n: number, k: number,
    aOffset: number, bOffset: number, cOffset: number, batch: number, strideA: number, strideB: number, strideC: number): void;
  /** op 0: exp, 1: erf; float32, n elements. */
  unary(heap: ArrayBuffer, op: 0 | 1, inOffset: number, outOffset: number, n: number): void;
  /** 4-byte elements; shape and perm of the input, rank <= 8. */
  transpose(heap: ArrayBuffer, inOffset: number, outOffset: number, shape: number[], perm: number[]): void;
  /** float32 [rows, n]: column sums (leading) or row sums. */
  sum(heap: ArrayBuffer, inOffset: number, outOffset: number, rows: number, n: number, leading: boolean): void;
  setThreads(n: number): void;
  threads(): number;
  config(): string;
}

export type NativeBlasLoad = { ok: true; blas: NativeBlas; file: string; description: string } | { ok: false; reason: string };

const ADDON = path.join('native', 'blas', 'build', 'Release', 'clipwb_blas.node');

/** The built addon, looked for in this file's folder and each folder above it (source tree, bundled out/, app resources). */
export function findAddon(start = path.dirname(fileURLToPath(import.meta.url))): string | undefined {
  let dir = start;
  for (;;) {
    for (const candidate of [path.join(dir, ADDON), path.join(dir, 'app.asar.unpacked', ADDON)]) {
      if (fs.existsSync(candidate)) return candidate;
    }
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

export function parseBlasThreads(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new Error(`CLIPWB_BLAS_THREADS: expected an integer from 1 to 256, got "${raw}"`);
  return n;
}

let cached: NativeBlasLoad | undefined;

export function loadNativeBlas(env: NodeJS.ProcessEnv = process.env): NativeBlasLoad {
  if (cached) return cached;
  const setting = env.CLIPWB_NATIVE_BLAS?.trim();
  if (setting === '0' || setting === 'off' || setting === 'false') {
    return (cached = { ok: false, reason: 'native BLAS turned off by CLIPWB_NATIVE_BLAS' });
  }
  const file = setting && setting !== '1' ? path.resolve(setting) : findAddon();
  if (!file) {
    return (cached = {
      ok: false,
      reason: 'native BLAS addon not built (needs Debian libopenblas-dev and a C compiler: apt-get install libopenblas-dev build-essential, then npm run build:native)',
    });
  }
  try {
    const blas = createRequire(import.meta.url)(file) as NativeBlas;
    if (typeof blas.sgemm !== 'function' || typeof blas.unary !== 'function' || typeof blas.transpose !== 'function' || typeof blas.sum !== 'function') throw new Error(`${file} is not the clipwb_blas addon, or an older build of it (npm run build:native)`);
    blas.setThreads(parseBlasThreads(env.CLIPWB_BLAS_THREADS));
    return (cached = { ok: true, blas, file, description: `${blas.config()}, ${blas.threads()} thread(s)` });
  } catch (err) {
    const msg = String((err as Error).message ?? err).split('\n')[0];
    return (cached = { ok: false, reason: `native BLAS addon at ${file} did not load: ${msg} (rebuild it with npm run build:native; for Electron, npm run package rebuilds it)` });
  }
}

/** For tests: forget the cached load so a changed environment is read again. */
export function resetNativeBlasForTests(): void {
  cached = undefined;
}
