/** A RunService on a real SQLite file in a workspace, recording every event it emits. */
import path from 'node:path';
import { openStore, type Store } from '../../../src-main/store';
import { RunService, type RunServiceOptions } from '../../../src-main/runs/service';
import type { ApiEvent } from '../../../src-shared/api/types';
import type { Workspace } from './fixture';

export interface Harness {
  store: Store;
  service: RunService;
  events: ApiEvent[];
  /** Notifications as "title: body". */
  notifications(): string[];
  /** Statuses the run went through, in order, without repeats. */
  statuses(runId: string): string[];
  close(): Promise<void>;
}

export function openHarness(ws: Workspace, options: Partial<RunServiceOptions> = {}, store?: Store): Harness {
  const s = store ?? openStore({ file: path.join(ws.home, 'clipwb.sqlite') });
  const service = new RunService({ store: s, dataDir: ws.home, ...options });
  const events: ApiEvent[] = [];
  service.on('event', (e) => events.push(e));
  return {
    store: s,
    service,
    events,
    notifications: () => events.flatMap((e) => (e.type === 'notification' ? [`${e.title}: ${e.body}`] : [])),
    statuses: (runId) => {
      const out: string[] = [];
      for (const e of events) if (e.type === 'run' && e.run.id === runId && out[out.length - 1] !== e.run.status) out.push(e.run.status);
      return out;
    },
    close: async () => {
      await service.close({ timeoutMs: 5000 });
      if (!store) s.close();
    },
  };
}

/** Resolves with the first matching event from index `from` of h.events on (default: all, past ones too). */
export function waitForEvent(h: Harness, match: (e: ApiEvent) => boolean, o: { from?: number; timeoutMs?: number } = {}): Promise<ApiEvent> {
  const timeoutMs = o.timeoutMs ?? 30_000;
  const seen = h.events.slice(o.from ?? 0).find(match);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { h.service.off('event', on); reject(new Error(`no matching event within ${timeoutMs} ms`)); }, timeoutMs);
    const on = (e: ApiEvent) => {
      if (!match(e)) return;
      clearTimeout(timer);
      h.service.off('event', on);
      resolve(e);
    };
    h.service.on('event', on);
  });
}

/** Steps of a series as the charts read them (live points only). */
export function seriesSteps(store: Store, runId: string, key = 'train/loss'): { steps: number[]; segments: number[] } {
  const info = store.metrics.getSeries(runId, key);
  if (!info) return { steps: [], segments: [] };
  const cols = store.metrics.readRange(info.id);
  return { steps: Array.from(cols.steps), segments: Array.from(cols.segments) };
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
