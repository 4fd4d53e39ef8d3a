/**
 * Batches the core's events for the front ends: the renderer gets one message every few hundred
 * milliseconds instead of one per step, with superseded updates coalesced (the last `run` summary per
 * run, the last `gpu` snapshot, metric points concatenated per run).
 */
import type { ApiEvent } from '../../src-shared/api/types';

export class EventBatcher {
  private pending: ApiEvent[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly listeners = new Set<(events: ApiEvent[]) => void>();

  constructor(private readonly intervalMs = 300) {}

  push(e: ApiEvent): void {
    this.pending.push(e);
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  subscribe(listener: (events: ApiEvent[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  flush(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    if (this.pending.length === 0) return;
    const batch = coalesce(this.pending);
    this.pending = [];
    for (const l of this.listeners) {
      try { l(batch); } catch { /* a broken listener must not stop the others */ }
    }
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.listeners.clear();
  }
}

export function coalesce(events: readonly ApiEvent[]): ApiEvent[] {
  const out: ApiEvent[] = [];
  const lastRun = new Map<string, number>();
  const metrics = new Map<string, number>();
  let gpuAt = -1;
  for (const e of events) {
    if (e.type === 'run') {
      const at = lastRun.get(e.run.id);
      if (at !== undefined) { out[at] = e; continue; }
      lastRun.set(e.run.id, out.length);
    } else if (e.type === 'gpu') {
      if (gpuAt >= 0) { out[gpuAt] = e; continue; }
      gpuAt = out.length;
    } else if (e.type === 'metrics') {
      const at = metrics.get(e.runId);
      if (at !== undefined) {
        const prev = out[at] as Extract<ApiEvent, { type: 'metrics' }>;
        out[at] = { ...prev, points: [...prev.points, ...e.points] };
        continue;
      }
      metrics.set(e.runId, out.length);
    }
    out.push(e);
  }
  return out;
}
