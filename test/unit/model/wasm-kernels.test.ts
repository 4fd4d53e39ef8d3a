/**
 * The wasm kernels the model relies on for speed (src-worker/backend/kernels: zero-copy Identity/Cast,
 * heap Slice/SplitV, row GatherV2, batched matMul through XNNPACK, padded Transpose, leading-axis Sum),
 * checked against the cpu backend.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src-worker/backend/select';
import { seededValues } from './fixtures';

type Case = () => tf.Tensor | tf.Tensor[];

/** Runs `f` on wasm then on cpu (fresh inputs each time) and returns both results as nested arrays. */
async function onBoth(f: Case): Promise<{ wasm: unknown[]; cpu: unknown[] }> {
  const run = () => {
    const out = f();
    const list = Array.isArray(out) ? out : [out];
    const values = list.map((t) => ({ shape: t.shape, values: Array.from(t.dataSync()) }));
    tf.dispose(list);
    return values;
  };
  await initBackend('wasm');
  const wasm = run();
  await initBackend('cpu');
  const cpu = run();
  await initBackend('wasm');
  return { wasm, cpu };
}

const t = (shape: number[], seed: number) => tf.tensor(seededValues(shape.reduce((a, b) => a * b, 1), seed), shape);

function expectClose(a: unknown[], b: unknown[], tol: number): void {
  expect(a.length).toBe(b.length);
  a.forEach((x, i) => {
    const p = x as { shape: number[]; values: number[] };
    const q = b[i] as { shape: number[]; values: number[] };
    expect(p.shape).toEqual(q.shape);
    const worst = p.values.reduce((m, v, j) => Math.max(m, Math.abs(v - q.values[j]!)), 0);
    expect(worst).toBeLessThanOrEqual(tol);
  });
}

describe('wasm kernels against the cpu backend', () => {
  it('batched matMul (with transposes and broadcast batch) matches', async () => {
    const cases: Case[] = [
      () => tf.matMul(t([6, 5, 7], 1), t([6, 7, 3], 2)),
      () => tf.matMul(t([6, 7, 5], 1), t([6, 7, 3], 2), true, false),
      () => tf.matMul(t([6, 5, 7], 1), t([6, 3, 7], 2), false, true),
      () => tf.matMul(t([6, 7, 5], 1), t([6, 3, 7], 2), true, true),
      () => tf.matMul(t([2, 3, 5, 7], 1), t([2, 3, 7, 4], 2)),
      () => tf.matMul(t([1, 5, 7], 1), t([4, 7, 3], 2)),
      () => tf.matMul(t([4, 5, 7], 1), t([1, 7, 3], 2)),
      () => tf.matMul(t([1, 5, 7], 1), t([1, 7, 3], 2)),
      () => tf.matMul(t([5, 7], 1), t([7, 3], 2)),
    ];
    for (const c of cases) {
      const { wasm, cpu } = await onBoth(c);
      expectClose(wasm, cpu, 1e-5);
    }
  });

  it('batched matMul leaves no tensors or wasm memory behind', async () => {
    await initBackend('wasm');
    const a = t([16, 9, 8], 3);
    const b = t([16, 8, 9], 4);
    const bT = t([16, 9, 8], 5);
    tf.dispose(tf.matMul(a, bT, false, true));
    const before = tf.memory();
    for (let i = 0; i < 3; i++) tf.dispose([tf.matMul(a, b), tf.matMul(a, bT, false, true)]);
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
    tf.dispose([a, b, bT]);
  });

  it('slice and split of every rank up to 5 match', async () => {
    const cases: Case[] = [
      () => tf.slice(t([10], 1), [3], [4]),
      () => tf.slice(t([6, 9], 1), [1, 2], [3, 5]),
      () => tf.slice(t([4, 5, 6], 1), [1, 0, 2], [2, 5, 3]),
      () => tf.slice(t([3, 4, 5, 6], 1), [0, 1, 1, 0], [3, 2, 3, 6]),
      () => tf.slice(t([2, 3, 4, 5, 6], 1), [1, 0, 2, 1, 3], [1, 3, 2, 3, 2]),
      () => tf.slice(t([4, 5], 1), [2, 0], [0, 5]),
      () => tf.slice(tf.tensor([1, 2, 3, 4, 5, 6], [2, 3], 'int32'), [0, 1], [2, 2]),
      () => tf.split(t([4, 12], 1), 3, 1),
      () => tf.split(t([4, 6, 5], 1), [1, 2, 3], 1),
      () => tf.split(t([6, 4, 5], 1), 2, 0),
      () => tf.split(t([3, 4, 6], 1), [2, 4], -1),
    ];
    for (const c of cases) {
      const { wasm, cpu } = await onBoth(c);
      expectClose(wasm, cpu, 0);
    }
  });

  it('gather along rows (and other axes, via the stock kernel) matches; bad ids are refused', async () => {
    const ids = () => tf.tensor1d([3, 0, 3, 1], 'int32');
    const cases: Case[] = [
      () => tf.gather(t([5, 4], 1), ids()),
      () => tf.gather(t([5, 2, 3], 1), tf.tensor2d([[4, 1], [0, 0]], [2, 2], 'int32')),
      () => tf.gather(tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]], [4, 2], 'int32'), ids()),
      () => tf.gather(t([3, 5], 1), ids(), 1),
    ];
    for (const c of cases) {
      const { wasm, cpu } = await onBoth(c);
      expectClose(wasm, cpu, 0);
    }
    await initBackend('wasm');
    expect(() => tf.gather(t([3, 2], 1), tf.tensor1d([3], 'int32'))).toThrow(/index value 3 is not in \[0, 2\]/);
  });

  it('transposes of power-of-two row counts (padded path) and others match', async () => {
    const cases: Case[] = [
      () => tf.transpose(t([512, 7], 1)),
      () => tf.transpose(t([256, 64], 2)),
      () => tf.transpose(t([1, 320, 3], 3), [2, 0, 1]),
      () => tf.transpose(tf.tensor(Array.from({ length: 256 * 3 }, (_, i) => i), [256, 3], 'int32')),
      () => tf.transpose(t([300, 5], 4)),
      () => tf.transpose(t([4, 64, 6], 5), [0, 2, 1]),
    ];
    for (const c of cases) {
      const { wasm, cpu } = await onBoth(c);
      expectClose(wasm, cpu, 0);
    }
  });

  it('sums over leading axes (and others, via the stock kernel) match', async () => {
    const cases: Case[] = [
      () => tf.sum(t([2048, 6], 1), 0),
      () => tf.sum(t([5, 4, 3], 2), [0, 1]),
      () => tf.sum(t([5, 4, 3], 2), [1, 0], true),
      () => tf.sum(t([5, 4, 3], 2), 1),
      () => tf.sum(t([5, 4], 2), -1),
      () => tf.sum(t([5, 4], 2)),
      () => tf.sum(tf.tensor2d([[1, 2], [3, 4]], [2, 2], 'int32'), 0),
    ];
    for (const c of cases) {
      const { wasm, cpu } = await onBoth(c);
      expectClose(wasm, cpu, 2e-5);
    }
  });

  it('clone and same-dtype cast share data safely; other casts still convert', async () => {
    await initBackend('wasm');
    const x = tf.tensor1d([1.5, -2.7, 3]);
    const c = tf.clone(x);
    const same = tf.cast(x, 'float32');
    x.dispose();
    expect(Array.from(c.dataSync())).toEqual([1.5, -2.700000047683716, 3]);
    expect(Array.from(same.dataSync())).toEqual(Array.from(c.dataSync()));
    expect(Array.from(tf.cast(c, 'int32').dataSync())).toEqual([1, -2, 3]);
    const v = tf.variable(tf.tensor1d([1, 2]));
    const snapshot = tf.clone(v);
    v.assign(tf.tensor1d([5, 6]));
    expect(Array.from(snapshot.dataSync())).toEqual([1, 2]);
    expect(Array.from(v.dataSync())).toEqual([5, 6]);
    tf.dispose([c, same, v, snapshot]);
  });
});
