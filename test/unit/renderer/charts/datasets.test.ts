import { describe, expect, it } from 'vitest';
import { cleanPoints, drawnPointCount, maxPointsFor, toDatasets, type LoadedLine } from '../../../../src-renderer/charts/datasets';
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
