import { describe, expect, it } from 'vitest';
import { cleanPoints, drawnPointCount, latestRaw, maxPointsFor, nearestIndex, toDatasets, tooltipAt, type LoadedLine } from '../../../../src-renderer/charts/datasets';
import { colorAt, dashAt, withAlpha } from '../../../../src-renderer/charts/colors';

const line = (runId: string, n: number): LoadedLine => ({
  spec: { runId, key: 'train/loss', label: runId, color: colorAt(0), dash: [] },
  points: Array.from({ length: n }, (_, i) => ({ x: i, y: 1 / (i + 1) })),
  rawPoints: Array.from({ length: n }, (_, i) => ({ x: i, y: 2 / (i + 1) })),
});

describe('toDatasets', () => {
  it('draws the smoothed line over a faint raw line when smoothing is on', () => {
    const ds = toDatasets([line('a', 5)], { logY: false, smoothing: 0.6 });
    expect(ds.map((d) => [d.label, d.isRaw, d.order])).toEqual([['a', false, 0], ['a (raw)', true, 1]]);
    expect(ds[1]!.borderColor).toBe(withAlpha(colorAt(0), 0.22));
    expect(ds[0]!.pointRadius).toBe(0);
  });
  it('draws no raw line without smoothing', () => {
    expect(toDatasets([line('a', 5)], { logY: false, smoothing: 0 })).toHaveLength(1);
  });
  it('puts every smoothed line before every raw one, so raw lines never cover a run', () => {
    const ds = toDatasets([line('a', 3), line('b', 3)], { logY: false, smoothing: 0.5 });
    expect(ds.map((d) => d.isRaw)).toEqual([false, false, true, true]);
  });
  it('counts the points handed to the chart', () => {
    expect(drawnPointCount(toDatasets([line('a', 10), line('b', 7)], { logY: false, smoothing: 0.5 }))).toBe(34);
  });
});

describe('cleanPoints', () => {
  it('turns non-finite values into gaps', () => {
    expect(cleanPoints([{ x: 0, y: Number.NaN }, { x: 1, y: Infinity }, { x: 2, y: null }, { x: 3, y: 1 }], false).map((p) => p.y)).toEqual([null, null, null, 1]);
  });
  it('turns values a log axis cannot place into gaps only on a log axis', () => {
    const pts = [{ x: 0, y: 0 }, { x: 1, y: -1 }, { x: 2, y: 0.5 }];
    expect(cleanPoints(pts, true).map((p) => p.y)).toEqual([null, null, 0.5]);
    expect(cleanPoints(pts, false).map((p) => p.y)).toEqual([0, -1, 0.5]);
  });
});

describe('maxPointsFor', () => {
  it('asks for about one point per pixel within the API bounds', () => {
    expect(maxPointsFor(800)).toBe(800);
    expect(maxPointsFor(0)).toBe(64);
    expect(maxPointsFor(50_000)).toBe(10_000);
    expect(maxPointsFor(800, 2)).toBe(1600);
  });
});

describe('colours', () => {
  it('cycles the palette and dashes, and makes rgba from hex', () => {
    expect(colorAt(10)).toBe(colorAt(0));
    expect(colorAt(-1)).toBe(colorAt(9));
    expect(dashAt(0)).toEqual([]);
    expect(dashAt(1)).not.toEqual([]);
    expect(withAlpha('#ff0080', 0.5)).toBe('rgba(255,0,128,0.5)');
    expect(withAlpha('red', 0.5)).toBe('red');
  });
});

describe('chart legend and tooltip values', () => {
  const evalLine = (ys: number[], raws: number[]): LoadedLine => ({
    spec: { runId: 'a', key: 'val/fashion_mnist/acc1', label: 'acc1', color: colorAt(0), dash: [] },
    points: ys.map((y, i) => ({ x: (i + 1) * 16, y, raw: raws[i]!, step: (i + 1) * 16, wall: 1000 + i * 60_000 })),
    rawPoints: raws.map((y, i) => ({ x: (i + 1) * 16, y, step: (i + 1) * 16, wall: 1000 + i * 60_000 })),
    relativeOrigin: 1000,
  });
  it('puts the latest raw value in the legend, not the smoothed one', () => {
    // The smoothed curve lags (0.6349) behind the final evaluation (0.7092).
    expect(latestRaw(evalLine([0.5, 0.6349], [0.5, 0.7092]))).toBe(0.7092);
    expect(latestRaw({ points: [{ x: 1, y: 0.4, raw: 0.45 }], rawPoints: [] })).toBe(0.45);
    expect(latestRaw({ points: [{ x: 1, y: 0.4 }], rawPoints: [] })).toBe(0.4);
    expect(latestRaw({ points: [], rawPoints: [] })).toBeNull();
  });
  it('gives a series of one point a visible marker', () => {
    const [one] = toDatasets([evalLine([0.5], [0.5])], { logY: false, smoothing: 0.6 });
    expect(one!.pointRadius).toBeGreaterThan(0);
    const [two] = toDatasets([evalLine([0.5, 0.6], [0.5, 0.7])], { logY: false, smoothing: 0.6 });
    expect(two!.pointRadius).toBe(0);
  });
  it('builds the tooltip at x: step, relative and wall time, smoothed and raw for every line there', () => {
    const other: LoadedLine = { ...evalLine([0.3, 0.4], [0.31, 0.42]), spec: { runId: 'b', key: 'val/fashion_mnist/acc1', label: 'b', color: colorAt(1), dash: [6, 3] } };
    const tip = tooltipAt([evalLine([0.5, 0.6349], [0.5, 0.7092]), other], 30)!;
    expect(tip.step).toBe(32);
    expect(tip.wallMs).toBe(61_000);
    expect(tip.relativeMs).toBe(60_000);
    expect(tip.rows.map((r) => [r.label, r.smoothed, r.raw])).toEqual([['acc1', 0.6349, 0.7092], ['b', 0.4, 0.42]]);
    // A line with no point near x is left out.
    expect(tooltipAt([evalLine([0.5], [0.5])], 1000, 10)).toBeNull();
    expect(nearestIndex([{ x: 0 }, { x: 10 }, { x: 20 }], 14)).toBe(1);
    expect(nearestIndex([], 1)).toBe(-1);
  });
});

describe('tooltip on sparse lines', () => {
  it('shows the nearest point of a line with few points even far from the cursor', () => {
    const sparse: LoadedLine = { spec: { runId: 'a', key: 'k', label: 'k', color: colorAt(0), dash: [] }, points: [{ x: 2, y: 1, step: 2 }, { x: 4, y: 2, step: 4 }], rawPoints: [] };
    // Hovering at x = 3.2 with a 0.2 "pixel" tolerance: the line spans x, so its nearest point shows.
    expect(tooltipAt([sparse], 3.2, 0.2)?.rows.map((r) => r.step)).toEqual([4]);
    expect(tooltipAt([sparse], 6, 0.2)).toBeNull();
  });
});

describe('identical lines of two keys', () => {
  it('draws the dashed key above the solid one, so both stay visible', () => {
    const a: LoadedLine = { spec: { runId: 'r', key: 'train/loss', label: 'loss', color: colorAt(0), dash: dashAt(0) }, points: [{ x: 1, y: 1 }, { x: 2, y: 0.5 }], rawPoints: [] };
    const b: LoadedLine = { ...a, spec: { ...a.spec, key: 'train/contrastive_loss', label: 'contrastive_loss', color: colorAt(1), dash: dashAt(1) } };
    const [da, db] = toDatasets([a, b], { logY: false, smoothing: 0 });
    expect(db!.borderDash.length).toBeGreaterThan(0);
    // Chart.js draws lower order on top.
    expect(db!.order).toBeLessThan(da!.order);
  });
});
