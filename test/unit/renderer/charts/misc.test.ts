import { describe, expect, it } from 'vitest';
import { sparklinePaths } from '../../../../src-renderer/charts/sparkline';
import { logTickLabel, xAxisTitle, xTickLabel, yTickLabel } from '../../../../src-renderer/charts/axis';
import { DEFAULT_CHART_SETTINGS, parseChartSettings } from '../../../../src-renderer/stores/chart-settings';

describe('sparklinePaths', () => {
  it('breaks the line at gaps instead of drawing zeros', () => {
    const paths = sparklinePaths([10, 20, null, 30, 40], 40, 20, 100);
    expect(paths).toHaveLength(2);
    expect(paths[0]).toMatch(/^M0\.0,/);
  });
  it('scales to the given maximum and clamps above it', () => {
    const [p] = sparklinePaths([0, 100, 200], 20, 12, 100);
    expect(p).toBe('M0.0,11.0 L10.0,1.0 L20.0,1.0');
  });
  it('draws nothing without finite values and a tick for a single one', () => {
    expect(sparklinePaths([null, Number.NaN], 10, 10)).toEqual([]);
    expect(sparklinePaths([5], 10, 10)[0]).toMatch(/h1$/);
  });
});

describe('x tick labels', () => {
  it('labels steps compactly, relative time as durations', () => {
    expect(xTickLabel(500, 'step')).toBe('500');
    expect(xTickLabel(250_000, 'step')).toBe('250k');
    expect(xTickLabel(1_500_000, 'step')).toBe('1.5M');
    expect(xTickLabel(90_000, 'relative')).toBe('1m 30s');
  });
});

describe('parseChartSettings', () => {
  it('defaults to TensorBoard smoothing 0.6, linear y, steps', () => {
    expect(parseChartSettings(null)).toEqual({ smoothing: 0.6, logY: false, xMode: 'step' });
  });
  it('keeps valid stored values and ignores broken or out-of-range ones', () => {
    expect(parseChartSettings('{"smoothing":0.9,"logY":true,"xMode":"wall"}')).toEqual({ smoothing: 0.9, logY: true, xMode: 'wall' });
    expect(parseChartSettings('{"smoothing":1.5,"logY":"yes","xMode":"epoch"}')).toEqual(DEFAULT_CHART_SETTINGS);
    expect(parseChartSettings('not json')).toEqual(DEFAULT_CHART_SETTINGS);
    expect(parseChartSettings('null')).toEqual(DEFAULT_CHART_SETTINGS);
  });
});

describe('log axis tick labels', () => {
  const ticks = (lo: number, hi: number) => {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) for (let m = 1; m <= 9; m++) { const v = m * 10 ** e; if (v >= lo && v <= hi) out.push(v); }
    return out;
  };
  it('labels only powers of ten over two or more decades, so labels never crowd', () => {
    const all = ticks(0.01, 10);
    const shown = all.map((v) => logTickLabel(v, all)).filter((l) => l !== '');
    expect(shown).toEqual(['0.01', '0.1', '1', '10']);
  });
  it('labels 1, 2 and 5 of each decade over one to two decades, every tick within one', () => {
    const all = ticks(1, 50);
    expect(all.map((v) => logTickLabel(v, all)).filter((l) => l !== '')).toEqual(['1', '2', '5', '10', '20', '50']);
    const narrow = ticks(2, 9);
    expect(narrow.map((v) => logTickLabel(v, narrow)).filter((l) => l !== '')).toHaveLength(narrow.length);
  });
  it('names the x axis in each mode', () => {
    expect(xAxisTitle('step')).toBe('Step');
    expect(xAxisTitle('wall')).toBe('Wall time');
  });
});

describe('linear y tick labels', () => {
  it('uses enough digits to tell close ticks apart', () => {
    const ticks = [14.3, 14.325, 14.35, 14.375, 14.4];
    const labels = ticks.map((t) => yTickLabel(t, ticks));
    expect(new Set(labels).size).toBe(ticks.length);
    expect(labels).toEqual(['14.300', '14.325', '14.350', '14.375', '14.400']);
    expect([0, 0.5, 1].map((t) => yTickLabel(t, [0, 0.5, 1]))).toEqual(['0.0', '0.5', '1.0']);
    expect(yTickLabel(2e-5, [0, 1e-5, 2e-5])).toBe('2e-5');
  });
});
