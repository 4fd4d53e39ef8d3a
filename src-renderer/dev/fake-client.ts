/**
 * An in-memory ApiClient for development, demos without a server, and load tests: open the built app
 * with `?fake` (and `&points=N` for the long run's length, default 1,000,000). It holds one finished
 * run with N points per key, a live run that advances every half second (metrics, progress, logs,
 * checkpoints as batched events), and a few small runs with tags and evaluations.
 * It answers `runs.series` like the real store, with the same functions (src-shared/metrics): smoothed
 * at full resolution, then decimated; its CSV exports are quoted by src-shared/csv.ts. Every method of
 * the API contract has an answer here (the handler table's type says so).
 */
import type { ApiClient, ApiInput, ApiMethod, ApiOutput, ApiOutputs, QueueStatus, TaskInfo } from '../../src-shared/api/contract';
import type { ApiEvent, CheckpointInfo, DatasetInfo, DownloadInfo, EvaluationRow, GpuSample, LogLine, RunDetail, RunStatus, RunSummary, SystemStats } from '../../src-shared/api/types';
import { decimateIndices } from '../../src-shared/metrics/decimate';
import { smoothEma } from '../../src-shared/metrics/smoothing';
import { csvChunks, csvToString, type CsvValue } from '../../src-shared/csv';
import { RemoteApiError } from '../api/remote-error';

interface FakeSeries { steps: Float64Array; walls: Float64Array; values: Float64Array; length: number }

interface FakeRun {
  detail: RunDetail;
  /** Generated lazily: a 1,000,000-point run only pays for the keys someone looks at. */
  series: Map<string, FakeSeries | (() => FakeSeries)>;
  logs: LogLine[];
}

function seriesOf(r: FakeRun, key: string): FakeSeries | undefined {
  const s = r.series.get(key);
  if (typeof s !== 'function') return s;
  const made = s();
  r.series.set(key, made);
  return made;
}

export interface FakeOptions {
  longRunPoints?: number;
  /** Milliseconds between live ticks; 0 = no live run ticking (unit tests). */
  tickMs?: number;
}

const TRAIN_KEYS = ['train/loss', 'train/contrastive_loss', 'train/lr', 'train/lr_tau', 'train/scale', 'train/gamma', 'train/samples_per_second', 'train/data_time', 'train/batch_time'];

function valueAt(key: string, step: number, total: number, seed: number): number {
  const t = step / Math.max(1, total);
  const noise = Math.sin(step * 12.9898 + seed * 78.233) * 43758.5453;
  const r = noise - Math.floor(noise) - 0.5;
  switch (key) {
    case 'train/loss':
    case 'train/contrastive_loss': return Math.max(0.05, 6 * Math.exp(-4 * t) + 0.4 + 0.35 * r + (key === 'train/loss' ? 0.1 : 0));
    case 'train/distill_loss': return Math.max(0.01, 2 * Math.exp(-3 * t) + 0.1 * r);
    case 'train/lr': return 2e-3 * (t < 0.05 ? t / 0.05 : 0.5 * (1 + Math.cos(Math.PI * t)));
    case 'train/lr_tau': return 2e-3;
    case 'train/scale': return 14 + 60 * t + r;
    case 'train/gamma': return 0.9 * 0.5 * (1 + Math.cos(Math.PI * t)) + 0.1;
    case 'train/samples_per_second': return 270 + 30 * r;
    case 'train/data_time': return 0.02 + 0.01 * r;
    case 'train/batch_time': return 0.45 + 0.05 * r;
    default: return 0.5 + 0.3 * t + 0.05 * r;
  }
}

/** Steps and wall times of a finished run, shared by all its keys (they were logged together). */
interface Timeline { steps: Float64Array; walls: Float64Array }

function makeTimeline(count: number, t0: number): Timeline {
  const steps = new Float64Array(Math.max(16, count));
  const walls = new Float64Array(Math.max(16, count));
  for (let i = 0; i < count; i++) {
    steps[i] = i;
    walls[i] = t0 + i * 50;
  }
  return { steps, walls };
}

/** A series generated on first use; static series share their run's timeline and are never appended to. */
function makeSeries(key: string, count: number, total: number, seed: number, timeline: Timeline): FakeSeries {
  const values = new Float64Array(Math.max(16, count));
  for (let i = 0; i < count; i++) values[i] = valueAt(key, i, total, seed);
  return { steps: timeline.steps, walls: timeline.walls, values, length: count };
}

function emptySeries(): FakeSeries {
  return { steps: new Float64Array(16), walls: new Float64Array(16), values: new Float64Array(16), length: 0 };
}

function appendPoint(s: FakeSeries, step: number, wall: number, value: number): void {
  if (s.length === s.steps.length) {
    const grow = (a: Float64Array) => {
      const b = new Float64Array(a.length * 2);
      b.set(a);
      return b;
    };
    s.steps = grow(s.steps);
    s.walls = grow(s.walls);
    s.values = grow(s.values);
  }
  s.steps[s.length] = step;
  s.walls[s.length] = wall;
  s.values[s.length] = value;
  s.length++;
}

function lowerBound(a: Float64Array, n: number, v: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((a[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function csvText(header: string[], rows: CsvValue[][]): string {
  return csvToString(csvChunks(header, rows));
}

export function createFakeClient(o: FakeOptions = {}): ApiClient {
  const longPoints = Math.max(10, Math.floor(o.longRunPoints ?? 1_000_000));
  const tickMs = o.tickMs ?? 500;
  const listeners = new Set<(events: ApiEvent[]) => void>();
  const runs = new Map<string, FakeRun>();
  const now = Date.now();
  let nextId = 1;
  const queue: QueueStatus = { paused: false, queued: [], running: [] };
  let pending: ApiEvent[] = [];

  const emit = (e: ApiEvent) => { pending.push(e); };
  const flush = () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    for (const l of listeners) l(batch);
  };

  function summary(r: FakeRun): RunSummary {
    const d = r.detail;
    const lastMetrics: Record<string, number | null> = {};
    const bestMetrics: Record<string, number | null> = {};
    for (const k of r.series.keys()) {
      // Only losses are generated for the table; other keys show their last value once charted.
      const s = k.endsWith('loss') || k.startsWith('val/') ? seriesOf(r, k) : r.series.get(k);
      if (!s || typeof s === 'function' || s.length === 0) continue;
      lastMetrics[k] = s.values[s.length - 1] ?? null;
      if (k.endsWith('loss')) {
        let best = Infinity;
        for (let i = 0; i < s.length; i++) best = Math.min(best, s.values[i] as number);
        bestMetrics[k] = best;
      } else if (k.startsWith('val/')) {
        let best = -Infinity;
        for (let i = 0; i < s.length; i++) best = Math.max(best, s.values[i] as number);
        bestMetrics[k] = best;
      }
    }
    const { config: _c, command: _cmd, outDir: _o, checkpoints: _k, evaluations: _e, metricKeys: _m, ...rest } = d;
    const loss = seriesOf(r, 'train/loss');
    const lastStep = loss && loss.length > 0 ? (loss.steps[loss.length - 1] ?? null) : null;
    return { ...rest, lastMetrics, bestMetrics, lastStep };
  }

  function addRun(id: string, name: string, status: RunStatus, pointCount: number, total: number, cfg: Record<string, unknown>, tags: string[], seed: number): FakeRun {
    const t0 = now - pointCount * 50;
    const config: Record<string, unknown> = { model: 'clip-tiny-p7-28', trainData: 'builtin:fashion-mnist', batchSize: 128, epochs: 3, lr: 2e-3, wd: 0.1, fastclip: true, multiplyTau: true, temperatureScheme: 'global_learnable', evalTasks: ['fashion_mnist'], seed, ...cfg };
    const keys = [...TRAIN_KEYS, ...(config.distillModel ? ['train/distill_loss'] : [])];
    const series = new Map<string, FakeSeries | (() => FakeSeries)>();
    const timeline = makeTimeline(pointCount, t0);
    for (const k of keys) {
      if (status === 'running') {
        // A live run appends, so each key gets its own arrays.
        const own = emptySeries();
        for (let i = 0; i < pointCount; i++) appendPoint(own, i, t0 + i * 50, valueAt(k, i, total, seed));
        series.set(k, own);
      } else series.set(k, () => makeSeries(k, pointCount, total, seed, timeline));
    }
    const checkpoints: CheckpointInfo[] = [];
    const evaluations: EvaluationRow[] = [];
    const detail: RunDetail = {
      id, name, status, origin: 'app', createdAt: t0 - 5000, startedAt: t0, endedAt: status === 'running' ? null : now, tags, notes: '', error: status === 'failed' ? 'worker exited with code 1: out of memory' : null,
      devices: [], params: { objective: config.fastclip ? 'FastCLIP v3' : 'InfoNCE', model: String(config.model), distillModel: (config.distillModel as string | undefined) ?? null, lr: Number(config.lr), batchSize: Number(config.batchSize), nproc: 1 },
      progress: status === 'running' ? { epoch: 0, step: pointCount, totalSteps: total, samplesPerSecond: 270, etaSeconds: (total - pointCount) / 2 } : null,
      lastMetrics: {}, bestMetrics: {}, resumable: status !== 'running',
      config, command: `clipwb train --model ${String(config.model)} --lr ${String(config.lr)} --batch-size ${String(config.batchSize)}`, outDir: `/tmp/fake/${id}`,
      checkpoints, evaluations, metricKeys: keys,
    };
    const r: FakeRun = { detail, series, logs: [] };
    if (status !== 'running' && pointCount > 0) {
      for (let e = 1; e <= 3; e++) {
        const step = Math.floor((pointCount * e) / 3);
        const c: CheckpointInfo = { id: nextId++, runId: id, path: `/tmp/fake/${id}/checkpoints/epoch_${e}.safetensors`, epoch: e, step, sizeBytes: 4_800_000, createdAt: t0 + step * 50 };
        checkpoints.push(c);
        evaluations.push({ runId: id, runName: name, checkpointId: c.id, epoch: e, step, task: 'fashion_mnist', metric: 'acc1', value: 0.7 + 0.04 * e + 0.01 * seed, isMain: true });
        evaluations.push({ runId: id, runName: name, checkpointId: c.id, epoch: e, step, task: 'fashion_mnist', metric: 'acc5', value: 0.95 + 0.01 * e, isMain: false });
      }
      const val = emptySeries();
      for (const ev of evaluations) if (ev.isMain && ev.value !== null) appendPoint(val, ev.step ?? 0, t0 + (ev.step ?? 0) * 50, ev.value);
      series.set('val/fashion_mnist/acc1', val);
      detail.metricKeys = [...detail.metricKeys, 'val/fashion_mnist/acc1'];
    }
    for (let i = 0; i < 40; i++) r.logs.push({ id: nextId++, runId: id, time: t0 + i * 1000, level: i % 13 === 5 ? 'warn' : 'info', kind: 'train', message: `Train Epoch: 0 [${i * 1280}/20000] Loss: ${valueAt('train/loss', i * 10, total, seed).toFixed(6)}` });
    runs.set(id, r);
    return r;
  }

  addRun('fake-long', 'long run', 'finished', longPoints, longPoints, { lr: 1e-3 }, ['long', 'baseline'], 1);
  addRun('fake-baseline', 'fastclip v3 baseline', 'finished', 3000, 3000, {}, ['baseline'], 2);
  addRun('fake-distill', 'distill from ViT-B-32', 'failed', 1200, 3000, { distillModel: 'ViT-B-32', distillMode: 'feature', distillWeight: 0.5, lr: 1e-3 }, ['distill'], 3);
  const live = addRun('fake-live', 'live demo', 'running', 200, 3000, { batchSize: 256 }, ['live'], 4);
  queue.running.push(live.detail.id);

  const gpus: GpuSample[] = [0, 1].map((index) => ({
    index, uuid: `GPU-fake-${index}`, name: 'NVIDIA Fake 4090', utilization: index === 0 ? 97 : 3, memoryUsedMiB: index === 0 ? 18000 : 400, memoryTotalMiB: 24564,
    temperatureC: index === 0 ? 71 : 38, powerW: index === 0 ? 380 : 22, powerLimitW: 450, gone: false,
    processes: index === 0 ? [{ pid: 4242, usedMemoryMiB: 17600, runId: live.detail.id }] : [],
    history: Array.from({ length: 600 }, (_, i) => ({ t: now - (600 - i) * 1000, utilization: index === 0 ? 90 + 8 * Math.sin(i / 20) : 2, memoryUsedMiB: index === 0 ? 17000 + i : 400 })),
  }));

  function tick(): void {
    const d = live.detail;
    if (d.status !== 'running' || !d.progress) return;
    const step0 = d.progress.step;
    const points: { key: string; step: number; value: number | null; wall: number }[] = [];
    for (let s = step0 + 1; s <= step0 + 10 && s <= d.progress.totalSteps; s++) {
      const wall = Date.now();
      for (const k of live.series.keys()) {
        const series = seriesOf(live, k);
        if (!series || !k.startsWith('train/')) continue;
        const v = valueAt(k, s, d.progress.totalSteps, 4);
        appendPoint(series, s, wall, v);
        if (s % 2 === 0) points.push({ key: k, step: s, value: v, wall });
      }
    }
    const step = Math.min(step0 + 10, d.progress.totalSteps);
    d.progress = { ...d.progress, step, etaSeconds: (d.progress.totalSteps - step) / 20 };
    if (step >= d.progress.totalSteps) {
      d.status = 'finished';
      d.endedAt = Date.now();
      emit({ type: 'notification', level: 'info', title: 'Run finished', body: d.name, runId: d.id });
    }
    const line: LogLine = { id: nextId++, runId: d.id, time: Date.now(), level: 'info', kind: 'train', message: `Train Epoch: 0 step ${step} Loss: ${valueAt('train/loss', step, d.progress.totalSteps, 4).toFixed(6)}` };
    live.logs.push(line);
    emit({ type: 'metrics', runId: d.id, points });
    emit({ type: 'run', run: summary(live) });
    emit({ type: 'log', line });
    if (step % 200 === 0) {
      const c: CheckpointInfo = { id: nextId++, runId: d.id, path: `/tmp/fake/${d.id}/checkpoints/step_${step}.safetensors`, epoch: 0, step, sizeBytes: 4_800_000, createdAt: Date.now() };
      d.checkpoints = [...d.checkpoints, c];
      emit({ type: 'checkpoint', checkpoint: c });
    }
    gpus[0]!.utilization = 90 + Math.round(8 * Math.random());
    emit({ type: 'gpu', gpus: gpus.map((g) => ({ ...g })) });
    emit({ type: 'system', stats: fakeSystemStats() });
  }

  let timer: ReturnType<typeof setInterval> | null = null;
  const ensureTicking = () => {
    if (timer === null && tickMs > 0) timer = setInterval(() => { tick(); flush(); }, tickMs);
  };

  const need = (id: string): FakeRun => {
    const r = runs.get(id);
    if (!r) throw new RemoteApiError({ name: 'StoreError', message: `no run "${id}"`, field: 'id', status: 404, kind: 'not-found' });
    return r;
  };

  /** A 16-core machine under a training load (the fake's own numbers, moving a little per tick). */
  const fakeSystemStats = (): SystemStats => {
    const cpuPerCore = Array.from({ length: 16 }, (_, i) => Math.min(1, 0.55 + 0.4 * Math.abs(Math.sin(i + Date.now() / 7000))));
    return {
      t: Date.now(), cpuPerCore, cpuTotal: cpuPerCore.reduce((a, b) => a + b, 0) / cpuPerCore.length, loadAverage: [11.2, 10.4, 9.8],
      memory: { totalBytes: 64 * 2 ** 30, usedBytes: 21 * 2 ** 30 }, disk: { path: '/tmp/fake', freeBytes: 412 * 2 ** 30, totalBytes: 931 * 2 ** 30 }, diskError: null,
    };
  };

  const tasks: TaskInfo[] = [
    { key: 'fashion_mnist', name: 'Fashion-MNIST', type: 'zeroshot_classification', mainMetric: 'acc1', groups: ['builtin'], supported: true, reason: null },
    { key: 'imagenet1k', name: 'ImageNet 1k', type: 'zeroshot_classification', mainMetric: 'acc1', groups: ['datacomp'], supported: false, reason: 'not downloaded' },
  ];

  /** An evaluation job that reports progress every 400 ms and, for a run's checkpoint, records its results. */
  const simulateEvalJob = (r: FakeRun | null, ckpt: CheckpointInfo | null, evalTasks: string[]): number => {
    const jobId = nextId++;
    let done = 0;
    const total = 4;
    const step = () => {
      done++;
      const finished = done >= total;
      emit({ type: 'eval-job', job: { id: jobId, checkpointId: ckpt?.id ?? null, runId: r?.detail.id ?? null, tasks: evalTasks, status: finished ? 'done' : 'running', error: null }, done, total, message: `evaluating ${evalTasks.join(', ')}` });
      if (finished) {
        if (r) {
          const rows: EvaluationRow[] = evalTasks.map((task) => ({ runId: r.detail.id, runName: r.detail.name, checkpointId: ckpt?.id ?? null, epoch: ckpt?.epoch ?? null, step: ckpt?.step ?? null, task, metric: 'acc1', value: 0.6 + Math.random() * 0.2, isMain: true }));
          r.detail.evaluations = [...r.detail.evaluations, ...rows];
          emit({ type: 'evaluation', runId: r.detail.id, rows });
        }
        emit({ type: 'notification', level: 'info', title: 'Evaluation finished', body: `${r?.detail.name ?? ckpt?.path ?? 'checkpoint'}: ${evalTasks.join(', ')}`, ...(r ? { runId: r.detail.id } : {}) });
      } else setTimeout(step, 400);
      flush();
    };
    setTimeout(step, 400);
    return jobId;
  };

  const datasets: DatasetInfo[] = [];
  const downloads: DownloadInfo[] = [];
  const needDataset = (id: number): DatasetInfo => {
    const d = datasets.find((x) => x.id === id);
    if (!d) throw Object.assign(new Error(`dataset ${id} does not exist`), { field: 'id' });
    return d;
  };
  const needDownload = (id: number): DownloadInfo => {
    const d = downloads.find((x) => x.id === id);
    if (!d) throw Object.assign(new Error(`download ${id} does not exist`), { field: 'id' });
    return d;
  };
  const setDownload = (d: DownloadInfo, status: DownloadInfo['status']) => {
    d.status = status;
    emit({ type: 'download', download: { ...d } });
  };
  const startDownload = (url: string, dest: string): number => {
    const d: DownloadInfo = { id: nextId++, url, dest, status: 'done', totalBytes: 1_000_000, doneBytes: 1_000_000, bytesPerSecond: null, etaSeconds: null, error: null };
    downloads.push(d);
    emit({ type: 'download', download: { ...d } });
    return d.id;
  };
  const fakeCommand = (config: Record<string, unknown>) => ['clipwb train', ...Object.entries(config).map(([k, v]) => `--${k} ${String(v)}`)].join(' ');

  // Required for every method: the type checker refuses a fake that lacks one.
  const handlers: { [M in ApiMethod]: (input: ApiInput<M>) => ApiOutputs[M] | Promise<ApiOutputs[M]> } = {
    'system.info': () => ({ version: '0.1.0-fake', dataDir: '/tmp/fake', cpu: { model: 'Fake CPU', cores: 16 }, memory: { totalBytes: 64 * 2 ** 30, usedBytes: 21 * 2 ** 30 }, os: 'Linux (fake)', gpuAvailable: true, gpus }),
    'gpu.snapshot': () => ({ state: 'running', reason: null, gpus }),
    'system.stats': () => fakeSystemStats(),
    'options.list': () => ({ options: [], presets: [], defaults: {} }),
    'tasks.list': () => ({ tasks }),
    'runs.list': () => ({ runs: [...runs.values()].map(summary) }),
    'runs.get': (i) => {
      const r = need(i.id);
      return { ...r.detail, ...summary(r) };
    },
    'runs.update': (i) => {
      const r = need(i.id);
      if (i.name !== undefined) r.detail.name = i.name;
      if (i.tags !== undefined) r.detail.tags = i.tags;
      if (i.notes !== undefined) r.detail.notes = i.notes;
      return { run: summary(r) };
    },
    'runs.cancel': (i) => { need(i.id).detail.status = 'cancelled'; emit({ type: 'run', run: summary(need(i.id)) }); return { ok: true }; },
    'runs.pause': (i) => { need(i.id).detail.status = 'paused'; emit({ type: 'run', run: summary(need(i.id)) }); return { ok: true }; },
    'runs.resume': (i) => { const r = need(i.id); r.detail.status = 'running'; return { run: summary(r) }; },
    'runs.validate': (i) => ({ ok: true, errors: [], warnings: [], command: fakeCommand(i.config) }),
    'runs.checkTrainData': () => ({ problem: null }),
    'runs.create': (i) => {
      const id = `fake-${nextId++}`;
      const r = addRun(id, i.name ?? id, 'queued', 0, 3000, i.config, i.tags ?? [], 5);
      r.detail.notes = i.notes ?? '';
      queue.queued.push(id);
      emit({ type: 'run', run: summary(r) });
      return { run: summary(r), command: fakeCommand(i.config), warnings: [] };
    },
    'runs.delete': (i) => {
      need(i.id);
      runs.delete(i.id);
      queue.queued = queue.queued.filter((q) => q !== i.id);
      queue.running = queue.running.filter((q) => q !== i.id);
      return { ok: true };
    },
    'runs.series': (i) => {
      const r = need(i.runId);
      const s = seriesOf(r, i.key);
      if (!s) return { runId: i.runId, key: i.key, x: i.x ?? 'step', points: [], rawPoints: [], sourceCount: 0 };
      const from = i.fromStep === undefined ? 0 : lowerBound(s.steps, s.length, i.fromStep);
      const to = i.toStep === undefined ? s.length : lowerBound(s.steps, s.length, i.toStep + 1);
      const smoothing = i.smoothing ?? 0;
      const smoothed = smoothEma(s.values.subarray(0, to), smoothing).subarray(from);
      const raw = s.values.subarray(from, to);
      const xMode = i.x ?? 'step';
      const origin = s.walls[0] ?? 0;
      const xsAll = xMode === 'step' ? s.steps : xMode === 'wall' ? s.walls : s.walls.map((w) => w - origin);
      const xs = xsAll.subarray(from, to);
      const fin = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : null);
      const pick = (ys: Float64Array) => decimateIndices(i.method ?? 'lttb', xs, ys, i.maxPoints).map((k) => ({
        x: xs[k] as number, y: fin(ys[k]), raw: fin(raw[k]), step: s.steps[from + k] as number, wall: s.walls[from + k] as number,
      }));
      return { runId: i.runId, key: i.key, x: xMode, points: pick(smoothed), rawPoints: smoothing > 0 ? pick(raw) : [], sourceCount: to - from, relativeOrigin: origin };
    },
    'runs.logs': (i) => {
      const r = need(i.runId);
      const after = i.afterId ?? 0;
      return { lines: r.logs.filter((l) => l.id > after).slice(0, i.limit ?? 500) };
    },
    'runs.evaluate': (i) => {
      const r = need(i.runId);
      const ckpt = r.detail.checkpoints.find((c) => c.id === i.checkpointId) ?? r.detail.checkpoints[r.detail.checkpoints.length - 1] ?? null;
      return { jobs: [simulateEvalJob(r, ckpt, i.tasks)] };
    },
    'evals.evaluateFile': (i) => ({ job: simulateEvalJob(null, null, i.tasks), checkpoint: i.checkpoint, pulled: null }),
    'evals.table': (i) => {
      const chosen = [...runs.values()].filter((r) => !i.runIds || i.runIds.includes(r.detail.id));
      return { rows: chosen.flatMap((r) => r.detail.evaluations), checkpoints: chosen.flatMap((r) => r.detail.checkpoints) };
    },
    'export.csv': (i) => {
      const chosen = [...runs.values()].filter((r) => !i.runIds || i.runIds.includes(r.detail.id));
      if (i.kind === 'runs') {
        const rows = chosen.map((r) => {
          const s = summary(r);
          return [s.id, s.name, s.status, s.tags.join(';'), s.params.lr, s.lastMetrics['train/loss']];
        });
        return { filename: 'runs.csv', content: csvText(['id', 'name', 'status', 'tags', 'lr', 'train/loss'], rows) };
      }
      if (i.kind === 'series') {
        const rows: CsvValue[][] = [];
        for (const r of chosen) for (const k of r.series.keys()) for (let j = 0, s = seriesOf(r, k)!; j < Math.min(s.length, 1000); j++) rows.push([r.detail.id, k, s.steps[j], s.values[j], s.walls[j]]);
        return { filename: 'series.csv', content: csvText(['run_id', 'key', 'step', 'value', 'wall'], rows) };
      }
      const rows = chosen.flatMap((r) => r.detail.evaluations.map((e): CsvValue[] => [e.runId, e.checkpointId, e.step, e.task, e.metric, e.value]));
      return { filename: 'evals.csv', content: csvText(['run_id', 'checkpoint_id', 'step', 'task', 'metric', 'value'], rows) };
    },
    'queue.status': () => ({ ...queue }),
    'queue.resume': () => { queue.paused = false; return { ...queue }; },
    'datasets.list': () => ({ datasets: datasets.map((d) => ({ ...d })) }),
    'datasets.add': (i) => {
      const d: DatasetInfo = { id: nextId++, name: i.name ?? i.path.split('/').filter(Boolean).pop() ?? i.path, kind: 'folder', type: i.type, path: i.path, scan: { shards: 4, samples: 40_000, problems: [] }, addedAt: Date.now() };
      datasets.push(d);
      return { dataset: { ...d } };
    },
    'datasets.scan': (i) => {
      const d = needDataset(i.id);
      if (i.count) d.scan = { ...d.scan, counted: true };
      return { dataset: { ...d } };
    },
    'datasets.remove': (i) => {
      const d = needDataset(i.id);
      datasets.splice(datasets.indexOf(d), 1);
      return { ok: true };
    },
    'datasets.buildBuiltin': (i) => {
      const dir = `/tmp/fake/datasets/${i.name}`;
      emit({ type: 'dataset-build', name: i.name, done: 1, total: 1, message: `ready at ${dir}`, finished: true, error: null });
      // As the real registration writes it (src-main/datasets/service.ts).
      if (!datasets.some((d) => d.path === dir)) {
        datasets.push({ id: nextId++, name: `${i.name} (train)`, kind: 'builtin', type: 'train', path: dir, scan: { samples: 60_000, dataSize: 60_000, trainData: `builtin:${i.name}` }, addedAt: Date.now() });
        datasets.push({ id: nextId++, name: `${i.name} (fashion_mnist test)`, kind: 'builtin', type: 'eval', path: `${dir}/test`, scan: { task: 'fashion_mnist', classes: 10 }, addedAt: Date.now() });
      }
      return { started: true };
    },
    'downloads.list': () => ({ downloads: downloads.map((d) => ({ ...d })) }),
    'downloads.start': (i) => {
      if (i.source === 'evalsets') return { ids: i.tasks.map((t) => startDownload(`https://huggingface.co/datasets/fake/${t}`, `/tmp/fake/datasets/datacomp/wds_${t}_test`)) };
      if (i.source === 'model') return { ids: [startDownload(`https://huggingface.co/${i.repo}`, `/tmp/fake/models/${i.repo}`)] };
      return { ids: [startDownload(i.url, `/tmp/fake/downloads/${i.dest}`)] };
    },
    'downloads.pause': (i) => { setDownload(needDownload(i.id), 'paused'); return { ok: true }; },
    'downloads.resume': (i) => { setDownload(needDownload(i.id), 'done'); return { ok: true }; },
    'downloads.cancel': (i) => { setDownload(needDownload(i.id), 'cancelled'); return { ok: true }; },
    'models.list': () => ({ models: [] }),
  };

  return {
    transport: 'web',
    async call<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<ApiOutput<M>> {
      // Undefined only for a name outside the contract (an untyped caller).
      const h = handlers[method] as ((i: ApiInput<M>) => ApiOutputs[M] | Promise<ApiOutputs[M]>) | undefined;
      if (!h) throw new Error(`${method}: not an API method`);
      const out = await h(input);
      queueMicrotask(flush);
      return out;
    },
    subscribe(listener) {
      listeners.add(listener);
      ensureTicking();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && timer !== null) {
          clearInterval(timer);
          timer = null;
        }
      };
    },
  };
}
