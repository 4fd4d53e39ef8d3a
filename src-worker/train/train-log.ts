/**
 * The training log: the reference paper's out.log line format (so people who read the reference paper's logs read ours), a
 * metrics.jsonl file (one JSON object per logged step), and metric points for the store, under the
 * reference paper's TensorBoard names (train/loss, train/contrastive_loss, train/lr, train/scale, ...).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { MetricPoint } from '../protocol';
import type { TrainerHooks } from '../hooks';

interface StepTiming { batchMs: number; dataMs: number; samples: number; perWorkerSamples: number }

export interface FlushInput {
  epoch: number;
  step: number;
  batchInEpoch: number;
  batchesPerEpoch: number;
  samplesPerEpoch: number;
  lastStep: number;
  lr: number;
  lrTau: number;
  scale: number;
  objectiveLogs: Readonly<Record<string, number>>;
  gamma: number | null;
}

export class TrainLog {
  private readonly outLog: number | null;
  private readonly jsonl: number | null;
  private window: StepTiming[] = [];
  private readonly recentBatchMs: number[] = [];
  private readonly lossAverages = new Map<string, { sum: number; n: number }>();

  /** `resumedAtStep`: on a resume, metrics.jsonl keeps only the lines up to the checkpoint's step. */
  constructor(outDir: string, private readonly isMain: boolean, private readonly hooks: TrainerHooks, resumedAtStep: number | null = null) {
    if (isMain) {
      fs.mkdirSync(outDir, { recursive: true });
      if (resumedAtStep !== null) truncateJsonlAfter(path.join(outDir, 'metrics.jsonl'), resumedAtStep);
      this.outLog = fs.openSync(path.join(outDir, 'out.log'), 'a');
      this.jsonl = fs.openSync(path.join(outDir, 'metrics.jsonl'), 'a');
    } else {
      this.outLog = null;
      this.jsonl = null;
    }
  }

  info(message: string): void { this.write('info', message); }
  warn(message: string): void { this.write('warn', message); }

  private write(level: 'info' | 'warn', message: string): void {
    if (!this.isMain) return;
    this.hooks.log(level, message);
    if (this.outLog !== null) fs.writeSync(this.outLog, `${new Date().toISOString()} | ${level.toUpperCase()} | ${message}\n`);
  }

  recordStep(t: StepTiming): void {
    this.window.push(t);
    this.recentBatchMs.push(t.batchMs);
    if (this.recentBatchMs.length > 50) this.recentBatchMs.shift();
  }

  /** Median step time of the recent steps (for the ETA and stall detection). */
  medianBatchMs(): number | null {
    if (this.recentBatchMs.length === 0) return null;
    const sorted = [...this.recentBatchMs].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
  }

  /**
   * Progress after a step that writes no log line: the supervisor learns the step time from these, so
   * a slow model (minutes per step) is not taken for a stalled one while it waits for the next log line.
   */
  stepProgress(epoch: number, step: number, lastStep: number, samplesPerStep: number): void {
    if (!this.isMain) return;
    const median = this.medianBatchMs();
    this.hooks.progress({
      phase: 'train', epoch, step, totalSteps: lastStep,
      samplesPerSecond: median ? samplesPerStep / (median / 1000) : null,
      etaSeconds: median !== null ? ((lastStep - step) * median) / 1000 : null,
    });
  }

  /** Writes a log line for the steps since the last flush and returns the metric points. */
  flush(f: FlushInput): MetricPoint[] {
    const n = Math.max(1, this.window.length);
    const batchMs = this.window.reduce((a, t) => a + t.batchMs, 0) / n;
    const dataMs = this.window.reduce((a, t) => a + t.dataMs, 0) / n;
    const samples = this.window.reduce((a, t) => a + t.samples, 0);
    const perWorker = this.window.reduce((a, t) => a + t.perWorkerSamples, 0);
    const seconds = this.window.reduce((a, t) => a + t.batchMs, 0) / 1000;
    const sps = seconds > 0 ? samples / seconds : 0;
    const spsWorker = seconds > 0 ? perWorker / seconds : 0;
    this.window = [];
    const wall = Date.now();
    const values: Record<string, number> = {
      data_time: dataMs / 1000,
      batch_time: batchMs / 1000,
      samples_per_second: sps,
      samples_per_second_per_gpu: spsWorker,
      scale: f.scale,
      lr: f.lr,
      lr_tau: f.lrTau,
    };
    if (f.gamma !== null) values.gamma = f.gamma;
    for (const [k, v] of Object.entries(f.objectiveLogs)) if (k !== 'gamma') values[k] = v;
    const points: MetricPoint[] = Object.entries(values).map(([k, v]) => ({ key: `train/${k}`, step: f.step, value: Number.isFinite(v) ? v : null, wall }));

    const losses = Object.entries(f.objectiveLogs).filter(([k]) => k.endsWith('loss'));
    const lossText = losses.map(([k, v]) => {
      const avg = this.lossAverages.get(k) ?? { sum: 0, n: 0 };
      avg.sum += v; avg.n += 1;
      this.lossAverages.set(k, avg);
      const name = k.charAt(0).toUpperCase() + k.slice(1);
      return `${name}: ${v.toFixed(6)} (${(avg.sum / avg.n).toFixed(6)})`;
    }).join(' ');
    const seen = f.batchInEpoch * (f.samplesPerEpoch / f.batchesPerEpoch);
    const pct = (100 * f.batchInEpoch) / f.batchesPerEpoch;
    const median = this.medianBatchMs();
    const eta = median !== null ? ((f.lastStep - f.step) * median) / 1000 : null;
    this.info(`Train Epoch: ${f.epoch} [${Math.round(seen)}/${f.samplesPerEpoch} (${pct.toFixed(0)}%)] Data (t): ${(dataMs / 1000).toFixed(3)} ` +
      `Batch (t): ${(batchMs / 1000).toFixed(3)}, ${sps.toFixed(3)}/s, ${spsWorker.toFixed(3)}/s/gpu LR: ${f.lr.toExponential(6)} ` +
      `LR_tau: ${f.lrTau.toExponential(6)} Logit Scale: ${f.scale.toFixed(3)} ${lossText}`);
    if (this.jsonl !== null) fs.writeSync(this.jsonl, `${JSON.stringify({ step: f.step, epoch: f.epoch, wall, ...values })}\n`);
    this.hooks.progress({ phase: 'train', epoch: f.epoch, step: f.step, totalSteps: f.lastStep, samplesPerSecond: sps, etaSeconds: eta });
    return points;
  }

  close(): void {
    if (this.outLog !== null) fs.closeSync(this.outLog);
    if (this.jsonl !== null) fs.closeSync(this.jsonl);
  }
}

/** Drops the lines logged after `step` (they are superseded by the resumed run), atomically. */
function truncateJsonlAfter(file: string, step: number): void {
  if (!fs.existsSync(file)) return;
  const kept = fs.readFileSync(file, 'utf8').split('\n').filter((line) => {
    if (!line.trim()) return false;
    try {
      return ((JSON.parse(line) as { step?: number }).step ?? 0) <= step;
    } catch {
      return false;
    }
  });
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, kept.length > 0 ? `${kept.join('\n')}\n` : '');
  fs.renameSync(tmp, file);
}
