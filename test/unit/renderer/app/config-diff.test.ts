import { describe, expect, it } from 'vitest';
import { configDiff, stableStringify } from '../../../../src-renderer/stores/config-diff';

describe('configDiff', () => {
  const rows = configDiff([
    { lr: 1e-3, model: 'ViT-B-32', evalTasks: ['a', 'b'], opt: { b: 1, a: 2 }, only1: true },
    { lr: 5e-4, model: 'ViT-B-32', evalTasks: ['a', 'b'], opt: { a: 2, b: 1 } },
  ]);
  const byKey = Object.fromEntries(rows.map((r) => [r.key, r]));

  it('flags exactly the differing keys', () => {
    expect(rows.filter((r) => r.differs).map((r) => r.key)).toEqual(['lr', 'only1']);
  });
  it('treats objects with the same entries in another order as equal', () => {
    expect(byKey.opt?.differs).toBe(false);
    expect(stableStringify({ b: 1, a: [1, { d: 1, c: 2 }] })).toBe(stableStringify({ a: [1, { c: 2, d: 1 }], b: 1 }));
  });
  it('keeps a value per config, undefined where a key is absent', () => {
    expect(byKey.only1?.values).toEqual([true, undefined]);
    expect(byKey.lr?.values).toEqual([1e-3, 5e-4]);
  });
  it('distinguishes null from absent', () => {
    expect(configDiff([{ x: null }, {}])[0]?.differs).toBe(true);
    expect(configDiff([{ x: null }, { x: null }])[0]?.differs).toBe(false);
  });
});
