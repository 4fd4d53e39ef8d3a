/**
 * The fake API's series maths must match the real store's (so load tests with the fake show what the
 * app shows): it uses the store's own smoothEma and LTTB (src-shared/metrics); LTTB's output size and
 * endpoints.
 */
import { describe, expect, it } from 'vitest';
import { smoothEma } from '../../../../src-shared/metrics/smoothing';
import { lttbIndices } from '../../../../src-shared/metrics/decimate';
import { createFakeClient } from '../../../../src-renderer/dev/fake-client';

describe('fake series maths', () => {
  it('smooths like the store (debiased EMA, non-finite values pass through)', async () => {
    const ys = [1, 3, Number.NaN, 2, 8, 5, 4];
    const smoothed = Array.from(smoothEma(ys, 0.6));
    expect(smoothed[2]).toBeNaN();
    expect(smoothed[3]).toBeCloseTo((0.4 * 0.6 * 0.6 * 1 + 0.4 * 0.6 * 3 + 0.4 * 2) / (1 - 0.6 ** 3), 12);
    const api = createFakeClient({ longRunPoints: 500, tickMs: 0 });
    const s = await api.call('runs.series', { runId: 'fake-baseline', key: 'train/loss', maxPoints: 5000, x: 'step', smoothing: 0.6 });
    expect(s.points).toHaveLength(3000);
    expect(s.points.map((p) => p.y)).toEqual(Array.from(smoothEma(s.points.map((p) => p.raw as number), 0.6)));
  });
  it('decimates to the requested count, keeping both ends, in order', () => {
    const n = 100_000;
    const xs = Float64Array.from({ length: n }, (_, i) => i);
    const ys = Float64Array.from({ length: n }, (_, i) => Math.sin(i / 50));
    const idx = lttbIndices(xs, ys, 800);
    expect(idx).toHaveLength(800);
    expect(idx[0]).toBe(0);
    expect(idx[idx.length - 1]).toBe(n - 1);
    for (let i = 1; i < idx.length; i++) expect(idx[i]!).toBeGreaterThan(idx[i - 1]!);
  });
  it('answers runs.series for a 1,000,000-point run with at most maxPoints points per line', async () => {
    const api = createFakeClient({ longRunPoints: 1_000_000, tickMs: 0 });
    const s = await api.call('runs.series', { runId: 'fake-long', key: 'train/loss', maxPoints: 900, x: 'step', smoothing: 0.6 });
    expect(s.sourceCount).toBe(1_000_000);
    expect(s.points.length).toBeLessThanOrEqual(900);
    expect(s.rawPoints.length).toBeLessThanOrEqual(900);
    const zoomed = await api.call('runs.series', { runId: 'fake-long', key: 'train/loss', maxPoints: 900, x: 'step', smoothing: 0.6, fromStep: 1000, toStep: 1499 });
    expect(zoomed.sourceCount).toBe(500);
    expect(zoomed.points.length).toBe(500);
    expect(zoomed.points[0]!.x).toBe(1000);
  });
});
