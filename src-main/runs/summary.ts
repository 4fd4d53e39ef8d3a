/** Turns store rows into the RunSummary the API and the CLI show. */
import type { Store, Run } from '../store';
import { metricSummaries } from '../metrics';
import type { RunSummary } from '../../src-shared/api/types';

export interface LiveProgress {
  epoch: number;
  step: number;
  totalSteps: number;
  samplesPerSecond: number | null;
  etaSeconds: number | null;
  phase: string;
  message: string | null;
  done: number | null;
  total: number | null;
}

const PARAM_KEYS = ['model', 'fastclip', 'temperatureScheme', 'multiplyTau', 'distillModel', 'distillMode', 'distillWeight', 'lr', 'wd', 'batchSize', 'epochs', 'nproc', 'trainData'] as const;

export function objectiveLabel(c: Record<string, unknown>): string {
  if (!c.fastclip) return 'InfoNCE';
  const scheme = String(c.temperatureScheme ?? 'global_learnable');
  if (scheme.includes('individual')) return 'FastCLIP v2';
  if (scheme.includes('constant')) return 'FastCLIP v1';
  return c.multiplyTau ? 'FastCLIP v3' : 'FastCLIP v0';
}

export function runSummary(store: Store, run: Run, progress: LiveProgress | null): RunSummary {
  const c = run.config as Record<string, unknown>;
  const params: RunSummary['params'] = { objective: objectiveLabel(c) };
  for (const k of PARAM_KEYS) {
    const v = c[k];
    params[k] = v === undefined || v === null ? null : typeof v === 'object' ? JSON.stringify(v) : (v as string | number | boolean);
  }
  const lastMetrics: Record<string, number | null> = {};
  const bestMetrics: Record<string, number | null> = {};
  let lastStep: number | null = null;
  for (const s of metricSummaries(store, run.id)) {
    lastMetrics[s.key] = s.last;
    bestMetrics[s.key] = s.best;
    if (s.key.startsWith('train/') && s.lastStep !== null) lastStep = Math.max(lastStep ?? 0, s.lastStep);
  }
  return {
    id: run.id, name: run.name, status: run.status, origin: run.origin, createdAt: run.createdAt, startedAt: run.startedAt, endedAt: run.endedAt,
    tags: run.tags, notes: run.notes, error: run.error, devices: run.devices, params,
    progress: progress ? { epoch: progress.epoch, step: progress.step, totalSteps: progress.totalSteps, samplesPerSecond: progress.samplesPerSecond, etaSeconds: progress.etaSeconds } : null,
    lastMetrics, bestMetrics, resumable: run.resumable, lastStep,
  };
}
