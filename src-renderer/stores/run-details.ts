/**
 * Full run records (config, command, checkpoints, evaluations, metric keys) for the run and compare
 * pages, loaded on demand and kept current by events: `run` (status, progress), `checkpoint`,
 * `evaluation`, `metrics` (new keys make new charts appear) and `eval-job` (evaluation progress).
 */
import { defineStore } from 'pinia';
import { shallowReactive } from 'vue';
import type { ApiEvent, RunDetail } from '../../src-shared/api/types';
import { client } from './client';
import { useEvents } from './events';
import { mergeEvalRows } from './eval-matrix';

type EvalJobEvent = Extract<ApiEvent, { type: 'eval-job' }>;

export interface EvalJobState {
  id: number;
  runId: string | null;
  checkpointId: number | null;
  tasks: string[];
  status: 'queued' | 'running' | 'done' | 'failed';
  done: number;
  total: number;
  message: string;
  error: string | null;
}

export function applyEvalJobEvent(prev: EvalJobState | undefined, e: EvalJobEvent): EvalJobState {
  return {
    id: e.job.id, runId: e.job.runId, checkpointId: e.job.checkpointId, tasks: e.job.tasks, status: e.job.status,
    done: e.done, total: e.total, message: e.message || prev?.message || '', error: e.job.error,
  };
}

export const useRunDetails = defineStore('run-details', () => {
  const details = shallowReactive(new Map<string, RunDetail>());
  const errors = shallowReactive(new Map<string, string>());
  const evalJobs = shallowReactive(new Map<number, EvalJobState>());
  const inflight = new Map<string, Promise<RunDetail | null>>();

  async function load(id: string): Promise<RunDetail | null> {
    const running = inflight.get(id);
    if (running) return running;
    const p = (async () => {
      try {
        const d = await client().call('runs.get', { id });
        details.set(id, d);
        errors.delete(id);
        return d;
      } catch (err) {
        errors.set(id, err instanceof Error ? err.message : String(err));
        return null;
      } finally {
        inflight.delete(id);
      }
    })();
    inflight.set(id, p);
    return p;
  }

  function patch(id: string, f: (d: RunDetail) => RunDetail): void {
    const d = details.get(id);
    if (d) details.set(id, f(d));
  }

  /** Starts evaluating a checkpoint (or the latest when checkpointId is undefined); progress comes from eval-job events. */
  async function evaluate(runId: string, checkpointId: number | undefined, tasks: string[]): Promise<number[]> {
    const { jobs } = await client().call('runs.evaluate', { runId, tasks, ...(checkpointId !== undefined ? { checkpointId } : {}) });
    for (const id of jobs) {
      if (!evalJobs.has(id)) evalJobs.set(id, { id, runId, checkpointId: checkpointId ?? null, tasks, status: 'queued', done: 0, total: 0, message: 'queued', error: null });
    }
    return jobs;
  }

  /** The newest evaluation job of a checkpoint, for its row's progress. */
  function jobForCheckpoint(checkpointId: number): EvalJobState | null {
    let found: EvalJobState | null = null;
    for (const j of evalJobs.values()) if (j.checkpointId === checkpointId && (found === null || j.id > found.id)) found = j;
    return found;
  }

  const events = useEvents();
  events.on('run', (e) => patch(e.run.id, (d) => ({ ...d, ...e.run })));
  events.on('checkpoint', (e) => patch(e.checkpoint.runId, (d) =>
    d.checkpoints.some((c) => c.id === e.checkpoint.id) ? d : { ...d, checkpoints: [...d.checkpoints, e.checkpoint].sort((a, b) => a.step - b.step) }));
  events.on('evaluation', (e) => patch(e.runId, (d) => ({ ...d, evaluations: mergeEvalRows(d.evaluations, e.rows) })));
  events.on('metrics', (e) => patch(e.runId, (d) => {
    const known = new Set(d.metricKeys);
    const fresh = [...new Set(e.points.map((p) => p.key))].filter((k) => !known.has(k));
    return fresh.length === 0 ? d : { ...d, metricKeys: [...d.metricKeys, ...fresh] };
  }));
  events.on('eval-job', (e) => evalJobs.set(e.job.id, applyEvalJobEvent(evalJobs.get(e.job.id), e)));

  return { details, errors, evalJobs, load, evaluate, jobForCheckpoint };
});
