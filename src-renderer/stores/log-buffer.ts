/**
 * A run's log lines on the client: the fetched history and the live `log` events merged by id (an
 * event may arrive before or after the fetch that also returns it), capped so a chatty run cannot
 * grow the page without bound.
 */
import type { LogLine } from '../../src-shared/api/types';

export type LogLevel = LogLine['level'];
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export class LogBuffer {
  private lines: LogLine[] = [];
  private readonly ids = new Set<number>();
  /** Lines dropped from the front because of the cap. */
  dropped = 0;

  constructor(readonly cap = 5000) {}

  /** Adds lines in any order; duplicates are ignored. Returns how many were new. */
  add(incoming: readonly LogLine[]): number {
    let added = 0;
    let sorted = true;
    for (const l of incoming) {
      if (this.ids.has(l.id)) continue;
      const last = this.lines[this.lines.length - 1];
      if (last && l.id < last.id) sorted = false;
      this.lines.push(l);
      this.ids.add(l.id);
      added++;
    }
    if (!sorted) this.lines.sort((a, b) => a.id - b.id);
    const excess = this.lines.length - this.cap;
    if (excess > 0) {
      for (const l of this.lines.slice(0, excess)) this.ids.delete(l.id);
      this.lines = this.lines.slice(excess);
      this.dropped += excess;
    }
    return added;
  }

  get size(): number { return this.lines.length; }

  /** The highest id held, for `runs.logs({ afterId })`. */
  get lastId(): number { return this.lines[this.lines.length - 1]?.id ?? 0; }

  all(): readonly LogLine[] { return this.lines; }

  /** Lines at `minLevel` or above whose message contains `text` (case-insensitive). */
  filter(minLevel: LogLevel, text = ''): LogLine[] {
    const min = RANK[minLevel];
    const needle = text.trim().toLowerCase();
    return this.lines.filter((l) => RANK[l.level] >= min && (!needle || l.message.toLowerCase().includes(needle) || l.kind.toLowerCase().includes(needle)));
  }
}
