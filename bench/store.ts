/**
 * Store benchmark: batched metric ingestion into a real SQLite file, then decimated reads of a
 * 1,000,000-point series (LTTB and min-max, with and without smoothing, full range and a zoomed range).
 * Prints medians; the machine is shared, so run it twice before trusting a figure.
 *   node bin/run-ts.mjs bench/store.ts [--points 1000000] [--keys 10] [--batch 1000] [--reads 7]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type MetricPointInput } from '../src-main/store';
import { readSeries, type DecimationMethod } from '../src-main/metrics';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} expects a positive number`);
  return v;
}

const totalPoints = arg('points', 1_000_000);
const keys = arg('keys', 10);
const batch = arg('batch', 1000);
const reads = arg('reads', 7);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function cpuSeconds(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1e6;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipwb-bench-store-'));
try {
  const store = openStore({ file: path.join(dir, 'clipwb.sqlite') });
  const run = store.runs.create({ name: 'bench', origin: 'cli' });
  const single = store.runs.create({ name: 'bench-single', origin: 'cli' });
  const t0 = Date.now();

  // Ingestion: `keys` series stepping together, as a training loop logs them.
  const steps = Math.ceil(totalPoints / keys);
  let pending: MetricPointInput[] = [];
  let cpu = process.cpuUsage();
  let started = performance.now();
  for (let step = 0; step < steps; step++) {
    for (let k = 0; k < keys; k++) {
      pending.push({ key: `train/metric_${k}`, step, value: Math.exp(-step / 1e5) + 0.01 * Math.sin(step + k), wallTime: t0 + step * 50 });
      if (pending.length === batch) {
        store.metrics.append(run.id, pending);
        pending = [];
      }
    }
  }
  if (pending.length) store.metrics.append(run.id, pending);
  const insertSeconds = (performance.now() - started) / 1000;
  const insertCpu = cpuSeconds(process.cpuUsage(cpu));
  console.log(
    `insert: ${steps * keys} points over ${keys} keys, batches of ${batch}: ${insertSeconds.toFixed(2)} s wall, ` +
      `${Math.round((steps * keys) / insertSeconds).toLocaleString('en')} points/s (${Math.round((steps * keys) / insertCpu).toLocaleString('en')} per CPU-second)`,
  );

  // One key with all the points, for the read benchmark.
  cpu = process.cpuUsage();
  started = performance.now();
  for (let s = 0; s < totalPoints; s += batch) {
    const points: MetricPointInput[] = [];
    for (let step = s; step < Math.min(totalPoints, s + batch); step++) {
      points.push({ key: 'train/loss', step, value: 2 * Math.exp(-step / 2e5) + 0.2 * Math.random(), wallTime: t0 + step * 50 });
    }
    store.metrics.append(single.id, points);
  }
  const singleSeconds = (performance.now() - started) / 1000;
  const singleCpu = cpuSeconds(process.cpuUsage(cpu));
  console.log(
    `insert: ${totalPoints} points into one key, batches of ${batch}: ${Math.round(totalPoints / singleSeconds).toLocaleString('en')} points/s ` +
      `(${Math.round(totalPoints / singleCpu).toLocaleString('en')} per CPU-second)`,
  );
  const size = ['', '-wal'].reduce((n, s) => n + (fs.existsSync(path.join(dir, `clipwb.sqlite${s}`)) ? fs.statSync(path.join(dir, `clipwb.sqlite${s}`)).size : 0), 0);
  console.log(`database size: ${(size / 1e6).toFixed(1)} MB for ${steps * keys + totalPoints} points`);

  const cases: { method: DecimationMethod; smoothing: number; zoom: boolean }[] = [];
  for (const zoom of [false, true]) for (const method of ['lttb', 'minmax'] as const) for (const smoothing of [0, 0.6, 0.99]) cases.push({ method, smoothing, zoom });
  for (const c of cases) {
    const times: number[] = [];
    const cpuTimes: number[] = [];
    let got = 0;
    let inRange = 0;
    for (let r = 0; r < reads; r++) {
      const t = performance.now();
      const c0 = process.cpuUsage();
      const res = readSeries(store, {
        runId: single.id,
        key: 'train/loss',
        maxPoints: 1000,
        x: 'step',
        method: c.method,
        smoothing: c.smoothing,
        ...(c.zoom ? { fromStep: Math.floor(totalPoints * 0.6), toStep: Math.floor(totalPoints * 0.7) } : {}),
      });
      times.push(performance.now() - t);
      cpuTimes.push(cpuSeconds(process.cpuUsage(c0)) * 1000);
      got = res.points.length;
      inRange = res.pointsInRange;
    }
    console.log(
      `read ${c.zoom ? 'zoomed 10%' : 'full range'} ${c.method.padEnd(6)} smoothing ${String(c.smoothing).padEnd(4)}: ` +
        `${inRange} -> ${got} points${c.smoothing > 0 ? ' (+ raw line)' : ''}, median ${median(times).toFixed(1)} ms wall, ${median(cpuTimes).toFixed(1)} ms CPU, of ${reads}`,
    );
  }
  store.close();
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
