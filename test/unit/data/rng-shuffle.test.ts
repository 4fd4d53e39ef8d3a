import { describe, expect, it } from 'vitest';
import { mixSeed, Rng } from '../../../src-worker/data/rng';
import { ShuffleBuffer } from '../../../src-worker/data/samples/shuffle-buffer';

function drawAll(seed: number, n: number, capacity: number, initial: number): number[] {
  const buf = new ShuffleBuffer<number>(new Rng(seed), capacity, initial);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = buf.push(i);
    if (x !== undefined) out.push(x);
  }
  for (let x = buf.takeRandom(); x !== undefined; x = buf.takeRandom()) out.push(x);
  return out;
}

describe('Rng', () => {
  it('replays the same sequence for the same seed and differs for another', () => {
    const a = new Rng(mixSeed(2025, 3));
    const b = new Rng(mixSeed(2025, 3));
    const c = new Rng(mixSeed(2025, 4));
    const sa = Array.from({ length: 8 }, () => a.nextU32());
    expect(Array.from({ length: 8 }, () => b.nextU32())).toEqual(sa);
    expect(Array.from({ length: 8 }, () => c.nextU32())).not.toEqual(sa);
  });

  it('mixSeed separates large seeds that differ above 32 bits', () => {
    expect(mixSeed(2 ** 40 + 1)).not.toBe(mixSeed(1));
  });

  it('int stays in range and hits both ends; float stays in [0, 1)', () => {
    const r = new Rng(7);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const v = r.int(3, 6);
      expect(v).toBeGreaterThanOrEqual(3);
      expect(v).toBeLessThanOrEqual(6);
      seen.add(v);
      const f = r.float();
      expect(f).toBeGreaterThanOrEqual(0);
      expect(f).toBeLessThan(1);
    }
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
  });
});

describe('ShuffleBuffer', () => {
  it('lets every item out exactly once, in a seeded order', () => {
    const a = drawAll(1, 500, 64, 16);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(a).not.toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(drawAll(1, 500, 64, 16)).toEqual(a);
    expect(drawAll(2, 500, 64, 16)).not.toEqual(a);
  });

  it('holds back the initial fill, then grows to capacity and no further', () => {
    const buf = new ShuffleBuffer<number>(new Rng(3), 10, 4);
    let out = 0;
    for (let i = 0; i < 3; i++) if (buf.push(i) !== undefined) out++;
    expect(out).toBe(0);
    for (let i = 3; i < 100; i++) {
      if (buf.push(i) !== undefined) out++;
      expect(buf.size).toBeLessThanOrEqual(10);
    }
    expect(buf.size).toBe(10);
    expect(out).toBe(90);
  });

  it('rejects an initial fill larger than the buffer', () => {
    expect(() => new ShuffleBuffer(new Rng(1), 10, 11)).toThrow(/initial fill/);
  });
});
