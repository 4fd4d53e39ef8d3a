import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvToString, evaluationsLongCsv, evaluationsWideCsv, runsCsv, seriesCsv, writeCsvFile } from '../../../src-main/export';
import { supersedeMetricsAfter, type Store } from '../../../src-main/store';
import { parseRfc4180 } from '../../unit/export/rfc4180';
import { useTempStores } from './temp-store';

const NASTY_NAME = 'run, "quoted"\r\nnext line — 日本語';
const NASTY_NOTES = 'a,b\n"c"\rd';

function table(text: string): Record<string, string>[] {
  const [header, ...rows] = parseRfc4180(text);
  if (!header) throw new Error('no header');
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

function seed(store: Store): { a: string; b: string } {
  const a = store.runs.create({
    id: 'run-a',
    name: NASTY_NAME,
    notes: NASTY_NOTES,
    tags: ['x', 'y'],
    devices: ['gpu:0', 'gpu:1'],
    origin: 'app',
    createdAt: Date.UTC(2026, 0, 1),
    config: { model: 'ViT-B-16', optim: { lr: 0.001, betas: [0.9, 0.98] } },
  });
  const b = store.runs.create({ id: 'run-b', name: 'plain', origin: 'cli', createdAt: Date.UTC(2026, 0, 2), config: { model: 'ViT-B-32', loss: { rho: 8.5 } } });
  store.runs.setStatus(a.id, 'running', { at: Date.UTC(2026, 0, 1, 0, 0, 0) });
  store.runs.setStatus(a.id, 'finished', { at: Date.UTC(2026, 0, 1, 1, 0, 0) });
  store.metrics.append(a.id, [3, 1, 2].map((value, step) => ({ key: 'train/loss', step, value, wallTime: 1_700_000_000_123 + step })));
  store.metrics.append(b.id, [0.2, 0.6].map((value, step) => ({ key: 'eval/acc1', step, value, wallTime: 1_700_000_000_000 + step })));
  return { a: a.id, b: b.id };
}

describe('CSV export', () => {
  const stores = useTempStores();

  it('exports the runs table with flattened config and last/best metrics; awkward text survives', () => {
    const store = stores.open();
    seed(store);
    const rows = table(csvToString(runsCsv(store)));
    expect(rows.map((r) => r.id)).toEqual(['run-b', 'run-a']);
    const a = rows[1] as Record<string, string>;
    expect(a.name).toBe(NASTY_NAME);
    expect(a.notes).toBe(NASTY_NOTES);
    expect(a.tags).toBe('x;y');
    expect(a.devices).toBe('gpu:0;gpu:1');
    expect(a.status).toBe('finished');
    expect(a.created_at).toBe('2026-01-01T00:00:00.000Z');
    expect(a.duration_s).toBe('3600');
    expect(a['config.model']).toBe('ViT-B-16');
    expect(a['config.optim.lr']).toBe('0.001');
    expect(a['config.optim.betas']).toBe('[0.9,0.98]');
    expect(a['config.loss.rho']).toBe('');
    expect(a['last.train/loss']).toBe('2');
    expect(a['best.train/loss']).toBe('1');
    const b = rows[0] as Record<string, string>;
    expect(b['config.loss.rho']).toBe('8.5');
    expect(b['best.eval/acc1']).toBe('0.6');
    expect(b['last.train/loss']).toBe('');
    // Only chosen runs, in the order asked.
    expect(table(csvToString(runsCsv(store, { runIds: ['run-a'] }))).map((r) => r.id)).toEqual(['run-a']);
    expect(() => runsCsv(store, { runIds: ['ghost'] })).toThrow(/no run/);
  });

  it('streams long-format series to a file, live points only, in step order', async () => {
    const store = stores.open();
    const { a, b } = seed(store);
    const many = Array.from({ length: 5000 }, (_, step) => ({ key: 'z/long', step, value: step === 7 ? Number.NaN : step * 0.5, wallTime: 1_700_000_000_000 + step * 1000 }));
    store.metrics.append(a, many);
    supersedeMetricsAfter(store, a, 4000);
    const file = path.join(stores.dir(), 'series.csv');
    const result = await writeCsvFile(file, seriesCsv(store, { runIds: [a, b], pageSize: 700, bom: true }));
    const text = fs.readFileSync(file, 'utf8');
    expect(result.bytes).toBe(Buffer.byteLength(text, 'utf8'));
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const rows = parseRfc4180(text.slice(1));
    expect(rows[0]).toEqual(['run_id', 'run_name', 'key', 'step', 'wall_time', 'value']);
    const body = rows.slice(1);
    const long = body.filter((r) => r[2] === 'z/long');
    expect(long).toHaveLength(4001);
    expect(long.map((r) => Number(r[3]))).toEqual(Array.from({ length: 4001 }, (_, i) => i));
    expect(long[7]?.[5]).toBe('NaN');
    expect(long[10]).toEqual([a, NASTY_NAME, 'z/long', '10', '1700000010', '5']);
    // Superseded points (step > 4000, after the resume) are not exported, so the curve doesn't zig-zag.
    store.metrics.append(a, [{ key: 'z/long', step: 4001, value: -1, wallTime: 1 }]);
    const again = table(csvToString(seriesCsv(store, { runIds: [a], keys: ['z/long'] })));
    expect(again).toHaveLength(4002);
    expect(again[4001]).toMatchObject({ step: '4001', value: '-1' });
    expect(body.filter((r) => r[0] === b).map((r) => [r[2], r[3], r[5]])).toEqual([
      ['eval/acc1', '0', '0.2'],
      ['eval/acc1', '1', '0.6'],
    ]);
    expect(body.find((r) => r[2] === 'train/loss')?.[4]).toBe('1700000000.123');
    expect(fs.readdirSync(stores.dir()).filter((f) => f.includes('partial'))).toEqual([]);
  });

  it('exports evaluations wide (checkpoint x task main metric) and long (every metric)', () => {
    const store = stores.open();
    const { a, b } = seed(store);
    const c1 = store.checkpoints.add({ runId: a, path: '/ck/epoch_1, "first".safetensors', epoch: 1, step: 10, sizeBytes: 1 });
    const c2 = store.checkpoints.add({ runId: a, path: '/ck/epoch_2.safetensors', epoch: 2, step: 20, sizeBytes: 1 });
    store.evaluations.recordTask({ target: { checkpointId: c1.id }, task: 'cifar10', metrics: { acc1: 0.5, acc5: 0.9 }, mainMetric: 'acc1', createdAt: 0 });
    store.evaluations.recordTask({ target: { checkpointId: c2.id }, task: 'cifar10', metrics: { acc1: 0.6, acc5: 0.95 }, mainMetric: 'acc1', createdAt: 0 });
    store.evaluations.recordTask({ target: { checkpointId: c2.id }, task: 'mscoco', metrics: { 'mean_recall@1': 0.3 }, mainMetric: 'mean_recall@1', createdAt: 0 });
    store.evaluations.recordTask({ target: { runId: b, epoch: 5 }, task: 'cifar10', metrics: { acc1: 0.7 }, mainMetric: 'acc1', createdAt: 0 });

    const wide = parseRfc4180(csvToString(evaluationsWideCsv(store)));
    expect(wide).toEqual([
      ['run_id', 'run_name', 'checkpoint_id', 'checkpoint_path', 'epoch', 'step', 'cifar10', 'mscoco'],
      [a, NASTY_NAME, String(c1.id), '/ck/epoch_1, "first".safetensors', '1', '10', '0.5', ''],
      [a, NASTY_NAME, String(c2.id), '/ck/epoch_2.safetensors', '2', '20', '0.6', '0.3'],
      [b, 'plain', '', '', '5', '', '0.7', ''],
    ]);
    const long = table(csvToString(evaluationsLongCsv(store, { runIds: [a] })));
    expect(long).toHaveLength(5);
    expect(long.map((r) => `${r.epoch}/${r.task}/${r.metric}=${r.value}/${r.is_main}`)).toEqual([
      '1/cifar10/acc1=0.5/true',
      '1/cifar10/acc5=0.9/false',
      '2/cifar10/acc1=0.6/true',
      '2/cifar10/acc5=0.95/false',
      '2/mscoco/mean_recall@1=0.3/true',
    ]);
    expect(long[0]?.created_at).toBe('1970-01-01T00:00:00.000Z');
  });

  it('leaves no partial file when the export fails midway or the folder is missing', async () => {
    const store = stores.open();
    seed(store);
    const file = path.join(stores.dir(), 'broken.csv');
    function* failing(): Generator<string> {
      yield 'a,b\r\n';
      throw new Error('database went away');
    }
    await expect(writeCsvFile(file, failing())).rejects.toThrow(/database went away/);
    expect(fs.readdirSync(stores.dir()).filter((f) => f.endsWith('.csv') || f.includes('partial'))).toEqual([]);
    await expect(writeCsvFile(path.join(stores.dir(), 'no', 'such', 'dir.csv'), runsCsv(store))).rejects.toThrow(/cannot write .*choose a folder/);
  });
});
