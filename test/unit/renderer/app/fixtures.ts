/** Small RunSummary / RunDetail builders for the renderer's unit tests. */
import type { RunDetail, RunSummary } from '../../../../src-shared/api/types';

export function summary(over: Partial<RunSummary> & { id: string }): RunSummary {
  return {
    name: over.id, status: 'finished', origin: 'app', createdAt: 0, startedAt: null, endedAt: null, tags: [], notes: '', error: null, devices: [],
    params: {}, progress: null, lastMetrics: {}, bestMetrics: {}, resumable: true, ...over,
  };
}

export function detail(over: Partial<RunDetail> & { id: string }): RunDetail {
  return { ...summary(over), config: {}, command: 'clipwb train', outDir: null, checkpoints: [], evaluations: [], metricKeys: [], ...over };
}
