import { describe, expect, it, afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, currentBackend } from '../../../src-worker/backend/select';
import { simplifyTranspose } from '../../../src-worker/backend/kernels/native-elementwise';
import { findAddon, loadNativeBlas, parseBlasThreads, resetNativeBlasForTests } from '../../../src-worker/backend/native-blas';

const built = findAddon() !== undefined;

/** Plain-JS reference for one product of row-major matrices with optional transposes. */
function reference(a: Float32Array, b: Float32Array, m: number, n: number, k: number, ta: boolean, tb: boolean): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let q = 0; q < k; q++) s += (ta ? a[q * m + i]! : a[i * k + q]!) * (tb ? b[j * k + q]! : b[q * n + j]!);
      out[i * n + j] = s;
    }
  }
  return out;
}

describe('native BLAS loader', () => {
  afterEach(() => resetNativeBlasForTests());

  it('can be turned off, and says so', () => {
    const r = loadNativeBlas({ CLIPWB_NATIVE_BLAS: '0' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/turned off by CLIPWB_NATIVE_BLAS/);
  });

  it('reports a file that is not a loadable addon with the path and the fix', () => {
    const bogus = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'clipwb-blas-')), 'clipwb_blas.node');
    fs.writeFileSync(bogus, 'not a shared object');
    const r = loadNativeBlas({ CLIPWB_NATIVE_BLAS: bogus });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/did not load.*npm run build:native/);
  });

  it('validates CLIPWB_BLAS_THREADS', () => {
    expect(parseBlasThreads(undefined)).toBe(1);
    expect(parseBlasThreads('2')).toBe(2);
    expect(() => parseBlasThreads('0')).toThrow(/CLIPWB_BLAS_THREADS/);
    expect(() => parseBlasThreads('two')).toThrow(/CLIPWB_BLAS_THREADS/);
  });
});

describe('simplifyTranspose', () => {
  it('drops size-1 axes and merges axes that stay adjacent', () => {
    expect(simplifyTranspose([2, 3, 4, 5], [0, 2, 1, 3])).toEqual({ shape: [2, 3, 4, 5], perm: [0, 2, 1, 3] });
    expect(simplifyTranspose([2, 3, 4, 5], [2, 3, 0, 1])).toEqual({ shape: [6, 20], perm: [1, 0] });
    expect(simplifyTranspose([1, 7, 1, 9], [3, 2, 1, 0])).toEqual({ shape: [7, 9], perm: [1, 0] });
    expect(simplifyTranspose([4, 5, 6], [0, 1, 2])).toEqual({ shape: [120], perm: [0] });
    expect(simplifyTranspose([1, 1], [1, 0])).toEqual({ shape: [], perm: [] });
  });
});

describe.skipIf(!built)('BatchMatMul through OpenBLAS on the wasm heap (addon built)', () => {
  it('the backend reports the native matMul', async () => {
    await initBackend('wasm');
    expect(currentBackend()?.details.nativeBlas).toMatch(/OpenBLAS/);
    expect(currentBackend()?.attempts.at(-1)?.reason).toMatch(/matMul through OpenBLAS/);
  });

  it('the addon rejects operands outside the heap instead of reading past it', () => {
    const r = loadNativeBlas();
    if (!r.ok) throw new Error(r.reason);
    const heap = new ArrayBuffer(64);
    expect(() => r.blas.sgemm(heap, false, false, 4, 4, 4, 0, 0, 16, 1, 0, 0, 0)).toThrow(/past the end of the heap/);
    expect(() => r.blas.sgemm(heap, false, false, 1, 1, 1, 2, 0, 0, 1, 0, 0, 0)).toThrow(/invalid/);
  });

  const cases: { name: string; a: number[]; b: number[]; ta: boolean; tb: boolean }[] = [
    { name: '2-D plain', a: [37, 19], b: [19, 23], ta: false, tb: false },
    { name: '2-D transposeA', a: [19, 37], b: [19, 23], ta: true, tb: false },
    { name: '2-D transposeB', a: [37, 19], b: [23, 19], ta: false, tb: true },
    { name: '2-D both', a: [19, 37], b: [23, 19], ta: true, tb: true },
    { name: 'batched', a: [5, 13, 8], b: [5, 8, 11], ta: false, tb: false },
    { name: 'batched transposeB (attention scores)', a: [6, 17, 8], b: [6, 17, 8], ta: false, tb: true },
    { name: 'batch-1 left broadcast', a: [1, 9, 8], b: [4, 8, 7], ta: false, tb: false },
    { name: 'rank-2 right broadcast', a: [4, 9, 8], b: [7, 8], ta: false, tb: true },
    { name: 'rank 4', a: [2, 3, 6, 5], b: [2, 3, 5, 4], ta: false, tb: false },
  ];
  for (const c of cases) {
    it(`${c.name}: matches a float64 reference`, async () => {
      await initBackend('wasm');
      const a = tf.randomNormal(c.a, 0, 1, 'float32', 3);
      const b = tf.randomNormal(c.b, 0, 1, 'float32', 4);
      const got = tf.matMul(a, b, c.ta, c.tb);
      const av = a.dataSync() as Float32Array;
      const bv = b.dataSync() as Float32Array;
      const gv = got.dataSync();
      const ra = c.a.length;
      const rb = c.b.length;
      const m = c.ta ? c.a[ra - 1]! : c.a[ra - 2]!;
      const k = c.ta ? c.a[ra - 2]! : c.a[ra - 1]!;
      const n = c.tb ? c.b[rb - 2]! : c.b[rb - 1]!;
      const batchA = c.a.slice(0, -2).reduce((p, d) => p * d, 1);
      const batchB = c.b.slice(0, -2).reduce((p, d) => p * d, 1);
      const batch = Math.max(batchA, batchB);
      expect(gv.length).toBe(batch * m * n);
      for (let i = 0; i < batch; i++) {
        const ai = av.subarray((batchA === 1 ? 0 : i) * m * k, (batchA === 1 ? 1 : i + 1) * m * k);
        const bi = bv.subarray((batchB === 1 ? 0 : i) * k * n, (batchB === 1 ? 1 : i + 1) * k * n);
        const want = reference(ai, bi, m, n, k, c.ta, c.tb);
        for (let j = 0; j < m * n; j++) expect(Math.abs(gv[i * m * n + j]! - want[j]!)).toBeLessThan(1e-4 * (1 + Math.abs(want[j]!)));
      }
      tf.dispose([a, b, got]);
    });
  }

  it('gradients of a matMul chain agree with the cpu backend', async () => {
    const run = (): number[][] => {
      const x = tf.tensor2d([[0.5, -1, 2], [1.5, 0.25, -0.75]]);
      const w = tf.tensor2d([[1, 2], [-0.5, 0.3], [0.7, -1.1]]);
      const f = (p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.square(tf.matMul(tf.matMul(p, q), q, false, true)));
      return tf.grads(f)([x, w]).map((g) => g.dataSync() as unknown as number[]).map((v) => Array.from(v));
    };
    await initBackend('wasm');
    const onWasm = run();
    await initBackend('cpu');
    const onCpu = run();
    for (let i = 0; i < onCpu.length; i++) for (let j = 0; j < onCpu[i]!.length; j++) expect(onWasm[i]![j]).toBeCloseTo(onCpu[i]![j]!, 4);
  });

  it('Exp and Erf match Math.exp and a float64 erf', async () => {
    await initBackend('wasm');
    const values = Array.from({ length: 1003 }, (_, i) => (i - 501) / 37);
    values.push(-1e9, 0, 88);
    const x = tf.tensor1d(values);
    const e = tf.exp(x).dataSync();
    const f = tf.erf(x).dataSync();
    // erf by its series / continued fraction is overkill here: Abramowitz-Stegun 7.1.26 is within 1.5e-7.
    const erf = (z: number): number => {
      const t = 1 / (1 + 0.3275911 * Math.abs(z));
      const y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
      return z < 0 ? -y : y;
    };
    values.forEach((v, i) => {
      const want = Math.exp(v);
      expect(Math.abs(e[i]! - want)).toBeLessThanOrEqual(2e-6 * want);
      expect(Math.abs(f[i]! - erf(v))).toBeLessThan(1e-6);
    });
    tf.dispose([x]);
  });

  const perms: { shape: number[]; perm: number[]; dtype: 'float32' | 'int32' }[] = [
    { shape: [70, 45], perm: [1, 0], dtype: 'float32' },
    { shape: [3, 5, 4, 6], perm: [0, 2, 1, 3], dtype: 'float32' },
    { shape: [3, 5, 4, 6], perm: [0, 1, 3, 2], dtype: 'float32' },
    { shape: [3, 5, 4, 6], perm: [3, 1, 2, 0], dtype: 'float32' },
    { shape: [2, 1, 33, 40], perm: [2, 3, 1, 0], dtype: 'int32' },
    { shape: [6, 7, 8], perm: [2, 0, 1], dtype: 'int32' },
    { shape: [4, 5], perm: [0, 1], dtype: 'float32' },
  ];
  for (const c of perms) {
    it(`Transpose ${c.dtype} [${c.shape}] by [${c.perm}] matches the cpu backend`, async () => {
      const n = c.shape.reduce((p, d) => p * d, 1);
      const values = Array.from({ length: n }, (_, i) => (i * 7919) % 1009);
      await initBackend('wasm');
      const got = tf.transpose(tf.tensor(values, c.shape, c.dtype), c.perm);
      const gotValues = Array.from(got.dataSync());
      await initBackend('cpu');
      const want = tf.transpose(tf.tensor(values, c.shape, c.dtype), c.perm);
      expect(got.shape).toEqual(want.shape);
      expect(gotValues).toEqual(Array.from(want.dataSync()));
    });
  }

  const sums: { shape: number[]; axis: number | number[]; keepDims: boolean }[] = [
    { shape: [300, 70], axis: 0, keepDims: false },
    { shape: [300, 70], axis: 1, keepDims: true },
    { shape: [4, 5, 6], axis: [0, 1], keepDims: false },
    { shape: [4, 5, 6], axis: [1, 2], keepDims: false },
    { shape: [4, 5, 6], axis: [0, 1, 2], keepDims: true },
    { shape: [4, 5, 6], axis: 1, keepDims: false },
    { shape: [7], axis: 0, keepDims: false },
  ];
  for (const c of sums) {
    it(`Sum [${c.shape}] over ${JSON.stringify(c.axis)}${c.keepDims ? ' (keepDims)' : ''} matches the cpu backend`, async () => {
      const n = c.shape.reduce((p, d) => p * d, 1);
      const values = Array.from({ length: n }, (_, i) => Math.sin(i) * 3);
      await initBackend('wasm');
      const got = tf.sum(tf.tensor(values, c.shape), c.axis, c.keepDims);
      const gotValues = Array.from(got.dataSync());
      await initBackend('cpu');
      const want = tf.sum(tf.tensor(values, c.shape), c.axis, c.keepDims);
      expect(got.shape).toEqual(want.shape);
      const wantValues = Array.from(want.dataSync());
      gotValues.forEach((v, i) => expect(v).toBeCloseTo(wantValues[i]!, 3));
    });
  }
});
