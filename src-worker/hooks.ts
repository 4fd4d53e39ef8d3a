/** How a training run reports to whoever started it (the worker's IPC channel, or a test). */
import type { MetricPoint } from './protocol';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface ProgressInfo {
  phase: 'setup' | 'train' | 'eval' | 'checkpoint' | 'done';
  epoch: number;
  step: number;
  totalSteps: number;
  samplesPerSecond: number | null;
  etaSeconds: number | null;
  message?: string;
  done?: number;
  total?: number;
}

export interface EvalReport {
  epoch: number;
  step: number;
  checkpointPath: string | null;
  results: { key: string; dataset: string; metrics: Record<string, number | null>; mainMetric: string | null }[];
  average: number | null;
}

export interface TrainerHooks {
  log(level: LogLevel, message: string): void;
  metrics(points: MetricPoint[]): void;
  progress(p: ProgressInfo): void;
  checkpoint(c: { path: string; epoch: number; step: number; sizeBytes: number }): void;
  evaluation(e: EvalReport): void;
  /** Polled between steps: 'pause' writes a checkpoint and stops; 'cancel' stops now. */
  stopRequest(): 'cancel' | 'pause' | null;
  /** Polled between steps: true asks for a checkpoint now (the run goes on). */
  checkpointRequest?(): boolean;
  /** Called after every optimiser step (tests use it to watch tensors and state). */
  afterStep?(info: { step: number; epoch: number; loss: number }): void;
}
