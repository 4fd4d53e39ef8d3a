/**
 * The worker's metrics.jsonl is the source of truth for a run's training curves. Points normally reach
 * the store over IPC as they are logged; when the supervising process dies (CLI killed, app crashed),
 * the orphaned worker still trains a step or two, logs them to metrics.jsonl and pauses with a
 * checkpoint. Resume then continues after those steps, so unless they are copied into the store here
 * the gap would be permanent in charts and CSV.
 *
 * Reconciling appends, per series, every logged point whose step is past the series' last live point.
 * It never rewrites points the store already has, so calling it twice is harmless.
 */
import fs from 'node:fs';
import path from 'node:path';
import { appendMetrics, type MetricPointInput, type Store } from '../store';

/** Fields of a metrics.jsonl line that are not metric values. */
const NOT_METRICS = new Set(['step', 'epoch', 'wall']);

export interface LoggedStep {
  step: number;
  wall: number;
  values: Record<string, number>;
}

/**
 * The lines of a metrics.jsonl file. A torn last line (the writer was killed mid-write) and any line that
 * is not a logged step are skipped; values written as null (non-finite at the time) read back as NaN.
 */
export function readMetricsLog(file: string): LoggedStep[] {
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch { return []; }
  const out: LoggedStep[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let parsed: unknown;
    try { parsed = JSON.parse(line); } catch { continue; }
    if (typeof parsed !== 'object' || parsed === null) continue;
    const o = parsed as Record<string, unknown>;
    if (!Number.isSafeInteger(o.step) || (o.step as number) < 0 || typeof o.wall !== 'number' || !Number.isFinite(o.wall)) continue;
    const values: Record<string, number> = {};
    for (const [k, v] of Object.entries(o)) {
      if (NOT_METRICS.has(k)) continue;
      if (typeof v === 'number') values[k] = v;
      else if (v === null) values[k] = Number.NaN;
    }
    out.push({ step: o.step as number, wall: o.wall, values });
  }
  return out;
}

/** Copies the logged steps the store lacks into it; returns how many points were added. */
export function reconcileMetrics(store: Store, runId: string, outDir: string | null): number {
  if (!outDir) return 0;
  const logged = readMetricsLog(path.join(outDir, 'metrics.jsonl'));
  if (logged.length === 0) return 0;
  const lastStep = new Map<string, number>();
  const lastOf = (key: string): number => {
    let v = lastStep.get(key);
    if (v === undefined) {
      v = store.metrics.getSeries(runId, key)?.lastStep ?? -1;
      lastStep.set(key, v);
    }
    return v;
  };
  const missing: MetricPointInput[] = [];
  for (const line of logged) {
    for (const [name, value] of Object.entries(line.values)) {
      const key = `train/${name}`;
      if (line.step > lastOf(key)) missing.push({ key, step: line.step, value, wallTime: line.wall });
    }
  }
  if (missing.length > 0) appendMetrics(store, runId, missing);
  return missing.length;
}
