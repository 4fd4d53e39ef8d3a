import { describe, expect, it } from 'vitest';
import { CHUNK_SIZE, StoreError, appendMetrics, supersedeMetricsAfter, type MetricPointInput, type Store } from '../../../src-main/store';
import { useTempStores } from './temp-store';

function points(key: string, from: number, to: number, value: (step: number) => number = (s) => s / 10): MetricPointInput[] {
  const out: MetricPointInput[] = [];
  for (let step = from; step <= to; step++) out.push({ key, step, value: value(step), wallTime: 1_000_000 + step * 100 });
  return out;
}

function readAll(store: Store, runId: string, key: string): { steps: number[]; values: number[]; segments: number[] } {
  const series = store.metrics.getSeries(runId, key);
  if (!series) return { steps: [], values: [], segments: [] };
  const cols = store.metrics.readRange(series.id);
  return { steps: Array.from(cols.steps), values: Array.from(cols.values), segments: Array.from(cols.segments) };
}

function countRows(store: Store, table: string): number {
  return store.db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;
}

describe('metric ingestion', () => {
  const stores = useTempStores();

  it('commits each batch: another connection sees it as soon as append returns', () => {
    const store = stores.open();
    const run = store.runs.create({ name: 'r', origin: 'cli' });
    const reader = stores.open();
    appendMetrics(store, run.id, [...points('loss', 0, 9), ...points('lr', 0, 9)]);
    expect(reader.metrics.listSeries(run.id).map((s) => [s.key, s.pointCount])).toEqual([
      ['loss', 10],
      ['lr', 10],
    ]);
  });

  it('keeps values, NaN and infinities included, and summarises count, last, min and max', () => {
    const store = stores.open();
    const run = store.runs.create({ name: 'r', origin: 'cli' });
    store.metrics.append(run.id, [
      { key: 'loss', step: 0, value: 3, wallTime: 50 },
      { key: 'loss', step: 1, value: Number.NaN, wallTime: 60 },
      { key: 'loss', step: 2, value: -Infinity, wallTime: 70 },
      { key: 'loss', step: 3, value: 1.5, wallTime: 80 },
      { key: 'loss', step: 4, value: 7, wallTime: 90 },
      { key: 'loss', step: 5, value: Number.NaN, wallTime: 95 },
    ]);
    const { values } = readAll(store, run.id, 'loss');
    expect(values.map(String)).toEqual(['3', 'NaN', '-Infinity', '1.5', '7', 'NaN']);
    expect(store.metrics.getSeries(run.id, 'loss')).toMatchObject({
      pointCount: 6,
      firstStep: 0,
      firstWall: 50,
      lastStep: 5,
      lastWall: 95,
      minValue: 1.5,
      minStep: 3,
      maxValue: 7,
      maxStep: 4,
    });
    expect(Number.isNaN(store.metrics.getSeries(run.id, 'loss')?.lastValue)).toBe(true);
  });

  it('rejects a bad batch whole, naming the point and field', () => {
    const store = stores.open();
    const run = store.runs.create({ name: 'r', origin: 'cli' });
    const bad = [...points('loss', 0, 4), { key: 'loss', step: 2.5, value: 1, wallTime: 1 }];
    expect(() => store.metrics.append(run.id, bad)).toThrow(/points\[5\]\.step: expected a non-negative integer, got 2.5/);
    expect(() => store.metrics.append(run.id, [{ key: '', step: 0, value: 1, wallTime: 1 }])).toThrow(/points\[0\]\.key/);
    expect(() => store.metrics.append(run.id, [{ key: 'k', step: 0, value: '1' as unknown as number, wallTime: 1 }])).toThrow(/value/);
    expect(() => store.metrics.append(run.id, [{ key: 'k', step: 0, value: 1, wallTime: Number.NaN }])).toThrow(/wallTime/);
    expect(store.metrics.listSeries(run.id)).toEqual([]);
    expect(() => store.metrics.append('ghost', points('loss', 0, 1))).toThrow(StoreError);
  });

  it('packs old points into chunks as series grow, and reads them back in order across chunks and rows', () => {
    const store = stores.open();
    const run = store.runs.create({ name: 'r', origin: 'cli' });
    const total = CHUNK_SIZE * 3 + 100;
    for (let s = 0; s < total; s += 250) store.metrics.append(run.id, points('loss', s, Math.min(total - 1, s + 249)));
    expect(countRows(store, 'metric_chunks')).toBe(3);
    expect(countRows(store, 'metric_points')).toBe(100);
    const { steps, values } = readAll(store, run.id, 'loss');
    expect(steps).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(values[1234]).toBeCloseTo(123.4, 10);
    const series = store.metrics.getSeries(run.id, 'loss');
    if (!series) throw new Error('series missing');
    const mid = store.metrics.readRange(series.id, 1000, 2100);
    expect(Array.from(mid.steps)).toEqual(Array.from({ length: 1101 }, (_, i) => 1000 + i));
    const before = store.metrics.readBefore(series.id, 2048, 5);
    expect(Array.from(before.steps)).toEqual([2043, 2044, 2045, 2046, 2047]);
  });

  it('merges late points into the chunk that covers their step and keeps duplicates of a step', () => {
    const store = stores.open();
    const run = store.runs.create({ name: 'r', origin: 'cli' });
    store.metrics.append(run.id, points('loss', 0, CHUNK_SIZE * 2 + 9, (s) => s).filter((p) => p.step !== 500));
    // Step 500 arrives late (after its neighbours were packed), and step 10 is logged twice.
    store.metrics.append(run.id, [
      { key: 'loss', step: 500, value: -1, wallTime: 5 },
      { key: 'loss', step: 10, value: -2, wallTime: 6 },
    ]);
    const { steps, values } = readAll(store, run.id, 'loss');
    expect(steps.length).toBe(CHUNK_SIZE * 2 + 10 + 1);
    expect(steps.every((s, i) => i === 0 || s >= (steps[i - 1] as number))).toBe(true);
    expect(values[steps.indexOf(500)]).toBe(-1);
    const tens = steps.map((s, i) => (s === 10 ? values[i] : null)).filter((v) => v !== null);
    expect(tens).toEqual([10, -2]);
    expect(store.metrics.getSeries(run.id, 'loss')?.minValue).toBe(-2);
  });

  it('pages through a series without splitting a step and without losing points', () => {
    const store = stores.open();
    const run = store.runs.create({ name: 'r', origin: 'cli' });
    const batch: MetricPointInput[] = [];
    for (let step = 0; step < 3000; step++) {
      batch.push({ key: 'loss', step, value: step, wallTime: 1 });
      if (step % 7 === 0) batch.push({ key: 'loss', step, value: -step, wallTime: 2 });
    }
    store.metrics.append(run.id, batch);
    const series = store.metrics.getSeries(run.id, 'loss');
    if (!series) throw new Error('series missing');
    const seen: number[] = [];
    const pageOfStep = new Map<number, number>();
    let after: number | null = null;
    let pages = 0;
    for (;;) {
      const page = store.metrics.readPage(series.id, after, 300);
      if (page.points.steps.length === 0) break;
      pages++;
      for (const step of page.points.steps) {
        expect(pageOfStep.get(step) ?? pages).toBe(pages);
        pageOfStep.set(step, pages);
      }
      seen.push(...page.points.steps);
      if (page.nextAfterStep === null) break;
      after = page.nextAfterStep;
      // Ingestion between pages must not disturb the export.
      if (pages === 3) store.metrics.append(run.id, [{ key: 'loss', step: 5000, value: 1, wallTime: 3 }]);
    }
    expect(pages).toBeGreaterThan(4);
    expect(seen.length).toBe(batch.length + 1);
    expect(seen.every((s, i) => i === 0 || s >= (seen[i - 1] as number))).toBe(true);
  });
});

describe('paging edge cases', () => {
  const stores = useTempStores();

  it('a step with more points than a page is returned whole, and a cut step moves to the next page', () => {
    const store = stores.open();
    const run = store.runs.create({ name: 'r', origin: 'cli' });
    const batch: MetricPointInput[] = [];
    for (let i = 0; i < 8; i++) batch.push({ key: 'k', step: 1, value: i, wallTime: 1 });
    for (let i = 0; i < 3; i++) batch.push({ key: 'k', step: 2, value: i, wallTime: 1 });
    store.metrics.append(run.id, batch);
    const id = store.metrics.getSeries(run.id, 'k')?.id ?? -1;
    const first = store.metrics.readPage(id, null, 5);
    expect(Array.from(first.points.steps)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(first.nextAfterStep).toBe(1);
    const second = store.metrics.readPage(id, 1, 2);
    expect(second.points.steps.length).toBe(3);
    const third = store.metrics.readPage(id, 2, 2);
    expect(third).toMatchObject({ nextAfterStep: null });
    expect(third.points.steps.length).toBe(0);
    store.metrics.append(run.id, [{ key: 'k', step: 3, value: 0, wallTime: 1 }, { key: 'k', step: 4, value: 0, wallTime: 1 }, { key: 'k', step: 4, value: 1, wallTime: 1 }]);
    const cut = store.metrics.readPage(id, 2, 2);
    expect(Array.from(cut.points.steps)).toEqual([3]);
  });
});

describe('resume without zig-zag', () => {
  const stores = useTempStores();

  it('supersedes points after the checkpoint step, in chunks and rows, and continues in a new segment', () => {
    const store = stores.open();
    const run = store.runs.create({ name: 'r', origin: 'cli' });
    const end = CHUNK_SIZE * 2 + 500;
    store.metrics.append(run.id, [...points('loss', 0, end, (s) => 100 - s / 100), ...points('lr', 0, end)]);
    // Crash at `end`; the last checkpoint was at step 1500 (inside the second chunk).
    const result = supersedeMetricsAfter(store, run.id, 1500);
    expect(result.segment).toBe(1);
    expect(result.superseded).toBe(2 * (end - 1500));
    expect(store.runs.get(run.id)?.metricSegment).toBe(1);

    let loss = readAll(store, run.id, 'loss');
    expect(loss.steps[loss.steps.length - 1]).toBe(1500);
    expect(loss.steps.length).toBe(1501);
    expect(store.metrics.getSeries(run.id, 'loss')).toMatchObject({ pointCount: 1501, lastStep: 1500, minStep: 1500 });

    // The resumed run logs from step 1501 on, with different values: one line, no zig-zag.
    const resumed = store.metrics.append(run.id, points('loss', 1501, 3000, () => 42));
    expect(resumed.segment).toBe(1);
    loss = readAll(store, run.id, 'loss');
    expect(loss.steps).toEqual(Array.from({ length: 3001 }, (_, i) => i));
    expect(loss.values[2000]).toBe(42);
    expect(loss.segments[1500]).toBe(0);
    expect(loss.segments[1501]).toBe(1);
    expect(store.metrics.getSeries(run.id, 'loss')).toMatchObject({ pointCount: 3001, lastStep: 3000, lastValue: 42 });

    // Nothing was deleted: the superseded points are still in the database.
    const superseded =
      (store.db.prepare('SELECT COUNT(*) FROM metric_points WHERE superseded = 1').pluck().get() as number) +
      (store.db.prepare('SELECT COALESCE(SUM(point_count), 0) FROM metric_chunks WHERE superseded = 1').pluck().get() as number);
    expect(superseded).toBe(2 * (end - 1500));
  });

  it('a second resume to an earlier step supersedes again; a resume at step 0 empties the curves', () => {
    const store = stores.open();
    const run = store.runs.create({ name: 'r', origin: 'cli' });
    store.metrics.append(run.id, points('loss', 0, 3000));
    supersedeMetricsAfter(store, run.id, 2500);
    store.metrics.append(run.id, points('loss', 2501, 2600));
    expect(supersedeMetricsAfter(store, run.id, 100).segment).toBe(2);
    expect(readAll(store, run.id, 'loss').steps.length).toBe(101);
    supersedeMetricsAfter(store, run.id, 0);
    expect(readAll(store, run.id, 'loss').steps).toEqual([0]);
    expect(() => supersedeMetricsAfter(store, run.id, -1)).toThrow(/non-negative integer/);
    expect(() => supersedeMetricsAfter(store, 'ghost', 1)).toThrow(/unknown run/);
  });
});
