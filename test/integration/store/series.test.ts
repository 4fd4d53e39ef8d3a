import { describe, expect, it } from 'vitest';
import { listMetricKeys, metricGoal, metricSummaries, readSeries, smoothEma } from '../../../src-main/metrics';
import type { MetricPointInput } from '../../../src-main/store';
import { useTempStores } from './temp-store';

const T0 = 1_750_000_000_000;

function noisyLoss(n: number, key = 'train/loss'): MetricPointInput[] {
  let s = 12345;
  const out: MetricPointInput[] = [];
  for (let step = 0; step < n; step++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out.push({ key, step, value: 2 * Math.exp(-step / 3000) + (s / 2147483648 - 0.5) * 0.3, wallTime: T0 + step * 250 });
  }
  return out;
}

describe('reading a series for a chart', () => {
  const stores = useTempStores();

  function setup(n = 10_000): { store: ReturnType<typeof stores.open>; runId: string; pts: MetricPointInput[] } {
    const store = stores.open();
    const run = store.runs.create({ name: 'r', origin: 'cli' });
    const pts = noisyLoss(n);
    for (let i = 0; i < pts.length; i += 1000) store.metrics.append(run.id, pts.slice(i, i + 1000));
    return { store, runId: run.id, pts };
  }

  it('returns about maxPoints points of the requested range, raw when smoothing is 0', () => {
    const { store, runId, pts } = setup();
    const res = readSeries(store, { runId, key: 'train/loss', fromStep: 2000, toStep: 5999, maxPoints: 300, x: 'step' });
    expect(res.pointsInRange).toBe(4000);
    expect(res.points).toHaveLength(300);
    // Each point carries its wall time too (chart tooltips show step, relative and wall time at once).
    expect(res.points[0]).toEqual({ x: 2000, y: pts[2000]?.value, raw: pts[2000]?.value, step: 2000, wall: T0 + 2000 * 250 });
    expect(res.points[299]).toEqual({ x: 5999, y: pts[5999]?.value, raw: pts[5999]?.value, step: 5999, wall: T0 + 5999 * 250 });
    expect(res.points.every((p) => p.step >= 2000 && p.step <= 5999)).toBe(true);
    expect(res.rawLine).toBeNull();
    expect(res).toMatchObject({ firstStep: 0, lastStep: 9999, relativeOrigin: T0, method: 'lttb' });
  });

  it('returns every point when the range holds fewer than maxPoints', () => {
    const { store, runId } = setup(3000);
    const res = readSeries(store, { runId, key: 'train/loss', fromStep: 100, toStep: 149, maxPoints: 1000, x: 'step' });
    expect(res.points.map((p) => p.step)).toEqual(Array.from({ length: 50 }, (_, i) => 100 + i));
  });

  it('min-max keeps the range min and max', () => {
    const { store, runId, pts } = setup();
    const inRange = pts.slice(1000, 9001).map((p) => p.value);
    const res = readSeries(store, { runId, key: 'train/loss', fromStep: 1000, toStep: 9000, maxPoints: 200, x: 'step', method: 'minmax' });
    const ys = res.points.map((p) => p.y);
    expect(Math.min(...ys)).toBe(Math.min(...inRange));
    expect(Math.max(...ys)).toBe(Math.max(...inRange));
    expect(res.points.length).toBeLessThanOrEqual(200);
  });

  it('smooths at full resolution before decimating, and returns the raw line beside it', () => {
    const { store, runId, pts } = setup(2000);
    const smoothed = smoothEma(pts.map((p) => p.value), 0.9);
    const res = readSeries(store, { runId, key: 'train/loss', maxPoints: 100, x: 'step', smoothing: 0.9 });
    for (const p of res.points) {
      expect(p.y).toBeCloseTo(smoothed[p.step] as number, 12);
      expect(p.raw).toBe(pts[p.step]?.value);
    }
    expect(res.rawLine).toHaveLength(100);
    for (const p of res.rawLine ?? []) expect(p.y).toBe(pts[p.step]?.value);
    expect(readSeries(store, { runId, key: 'train/loss', maxPoints: 100, x: 'step', smoothing: 0.9, includeRaw: false }).rawLine).toBeNull();
  });

  it('a zoomed range shows the same smoothed values as the full view', () => {
    const { store, runId, pts } = setup(5000);
    const full = smoothEma(pts.map((p) => p.value), 0.99);
    const res = readSeries(store, { runId, key: 'train/loss', fromStep: 3000, toStep: 3100, maxPoints: 1000, x: 'step', smoothing: 0.99 });
    expect(res.points).toHaveLength(101);
    for (const p of res.points) {
      const want = full[p.step] as number;
      expect(Math.abs(p.y - want)).toBeLessThanOrEqual(1e-4 * Math.abs(want) + 1e-9);
    }
    // Without warm-up the first zoomed point would be the raw value itself (debiasing restarts).
    expect(Math.abs((res.points[0]?.y ?? 0) - (pts[3000]?.value ?? 0))).toBeGreaterThan(1e-3);
  });

  it('offers wall-clock and relative time as x', () => {
    const { store, runId } = setup(2000);
    const wall = readSeries(store, { runId, key: 'train/loss', fromStep: 10, toStep: 12, maxPoints: 10, x: 'wall' });
    expect(wall.points.map((p) => p.x)).toEqual([T0 + 2500, T0 + 2750, T0 + 3000]);
    const rel = readSeries(store, { runId, key: 'train/loss', fromStep: 10, toStep: 12, maxPoints: 10, x: 'relative' });
    expect(rel.points.map((p) => p.x)).toEqual([2500, 2750, 3000]);
  });

  it('passes NaN points through smoothing and decimation', () => {
    const store = stores.open();
    const run = store.runs.create({ name: 'r', origin: 'cli' });
    store.metrics.append(run.id, [1, 2, Number.NaN, 4].map((value, step) => ({ key: 'k', step, value, wallTime: T0 })));
    const res = readSeries(store, { runId: run.id, key: 'k', maxPoints: 10, x: 'step', smoothing: 0.5 });
    expect(res.points.map((p) => p.y)).toEqual([1, 5 / 3, Number.NaN, expect.closeTo((0.5 * 1.25 + 0.5 * 4) / 0.875, 12)]);
  });

  it('answers an unknown key with an empty series and a bad query with a clear error', () => {
    const { store, runId } = setup(10);
    expect(readSeries(store, { runId, key: 'nope', maxPoints: 10, x: 'step' })).toMatchObject({ points: [], pointsInRange: 0, lastStep: null });
    expect(() => readSeries(store, { runId, key: 'train/loss', maxPoints: 10, x: 'step', smoothing: 1 })).toThrow(/smoothing/);
    expect(() => readSeries(store, { runId, key: 'train/loss', maxPoints: 10, x: 'step', fromStep: 5, toStep: 2 })).toThrow(/fromStep/);
    expect(() => readSeries(store, { runId, key: 'train/loss', maxPoints: 1, x: 'step' })).toThrow(/maxPoints/);
    expect(() => readSeries(store, { runId, key: 'train/loss', maxPoints: 10, x: 'epoch' as never })).toThrow(/x/);
  });
});

describe('metric keys and summaries', () => {
  const stores = useTempStores();

  it('lists keys with last and best values, best following the goal of the key', () => {
    const store = stores.open();
    const run = store.runs.create({ name: 'r', origin: 'cli' });
    const rows: [string, number[]][] = [
      ['train/loss', [3, 1, 2]],
      ['eval/imagenet1k/acc1', [0.1, 0.5, 0.4]],
      ['train/lr', [0.1, 0.2, 0.05]],
    ];
    store.metrics.append(
      run.id,
      rows.flatMap(([key, values]) => values.map((value, step) => ({ key, step, value, wallTime: T0 + step }))),
    );
    expect(listMetricKeys(store, run.id)).toEqual(['eval/imagenet1k/acc1', 'train/loss', 'train/lr']);
    const byKey = Object.fromEntries(metricSummaries(store, run.id).map((s) => [s.key, s]));
    expect(byKey['train/loss']).toMatchObject({ last: 2, lastStep: 2, best: 1, bestStep: 1, goal: 'min', count: 3 });
    expect(byKey['eval/imagenet1k/acc1']).toMatchObject({ last: 0.4, best: 0.5, bestStep: 1, goal: 'max' });
    expect(byKey['train/lr']).toMatchObject({ last: 0.05, best: null, goal: 'none', min: 0.05, max: 0.2 });
    const overridden = metricSummaries(store, run.id, { 'train/lr': 'max' }).find((s) => s.key === 'train/lr');
    expect(overridden?.best).toBe(0.2);
  });

  it('guesses goals from common key names', () => {
    expect(metricGoal('loss')).toBe('min');
    expect(metricGoal('train/contrastive_loss')).toBe('min');
    expect(metricGoal('mscoco/image_retrieval_recall@5')).toBe('max');
    expect(metricGoal('train/samples_per_second')).toBe('max');
    expect(metricGoal('train/temperature')).toBe('none');
    expect(metricGoal('gamma')).toBe('none');
  });
});
