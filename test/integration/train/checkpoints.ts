/** Reading and comparing the tensors of two checkpoints. */
import { expect } from 'vitest';
import { loadCheckpoint, type LoadedCheckpoint } from '../../../src-worker/io/checkpoint';

export async function loadFull(p: string): Promise<LoadedCheckpoint> {
  return loadCheckpoint(p, { withState: true });
}

/** max |a − b| / max(1, |a|): absolute for values up to 1, relative above (u values reach the hundreds). */
function maxScaledDiff(a: ArrayLike<number>, b: ArrayLike<number>, what: string): number {
  expect(b.length, what).toBe(a.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(a[i]!)));
  return m;
}

export interface CheckpointDiff {
  weights: number;
  optimizer: number;
  objective: number;
  /** Names compared, for a sanity check that something was. */
  tensors: number;
}

/**
 * Largest difference in each part (absolute up to 1, relative above); the names, shapes and optimiser
 * step counts must be equal. Arrays that are bitwise equal give exactly 0.
 */
export function diffCheckpoints(a: LoadedCheckpoint, b: LoadedCheckpoint): CheckpointDiff {
  const out: CheckpointDiff = { weights: 0, optimizer: 0, objective: 0, tensors: 0 };
  expect([...b.weights.keys()]).toEqual([...a.weights.keys()]);
  for (const [name, t] of a.weights) {
    const u = b.weights.get(name)!;
    expect(u.shape, name).toEqual(t.shape);
    out.weights = Math.max(out.weights, maxScaledDiff(t.data, u.data, name));
    out.tensors++;
  }
  const pa = a.optimizer?.params ?? {};
  const pb = b.optimizer?.params ?? {};
  expect(Object.keys(pb).sort()).toEqual(Object.keys(pa).sort());
  expect(Object.keys(pa).length).toBeGreaterThan(0);
  for (const [name, s] of Object.entries(pa)) {
    const t = pb[name]!;
    expect(t.step, `${name} step`).toBe(s.step);
    out.optimizer = Math.max(out.optimizer, maxScaledDiff(s.exp_avg, t.exp_avg, `${name} exp_avg`), maxScaledDiff(s.exp_avg_sq, t.exp_avg_sq, `${name} exp_avg_sq`));
    out.tensors += 2;
  }
  const oa = a.objectiveState ?? {};
  const ob = b.objectiveState ?? {};
  expect(Object.keys(ob).sort()).toEqual(Object.keys(oa).sort());
  for (const [name, arr] of Object.entries(oa)) {
    out.objective = Math.max(out.objective, maxScaledDiff(arr, ob[name]!, name));
    out.tensors++;
  }
  return out;
}
