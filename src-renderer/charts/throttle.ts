/**
 * Live refetching without flooding: a visible chart refetches at most once per interval (about 2 s)
 * however many `metrics` events arrive, never runs two fetches at once, and always makes one last
 * fetch after the final event so the chart ends up current.
 */

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class RefetchThrottle {
  private lastStart = -Infinity;
  private timer: unknown = null;
  private running = false;
  private pending = false;
  private stopped = false;

  constructor(private readonly run: () => Promise<void>, readonly intervalMs = 2000, private readonly clock: Clock = realClock) {}

  /** Asks for a refetch: now if the last one started long enough ago, otherwise once the interval is over. */
  trigger(): void {
    if (this.stopped) return;
    if (this.running) {
      this.pending = true;
      return;
    }
    if (this.timer !== null) return;
    const wait = this.lastStart + this.intervalMs - this.clock.now();
    if (wait <= 0) void this.start();
    else this.timer = this.clock.setTimeout(() => { this.timer = null; void this.start(); }, wait);
  }

  private async start(): Promise<void> {
    if (this.stopped) return;
    this.running = true;
    this.pending = false;
    this.lastStart = this.clock.now();
    try {
      await this.run();
    } catch {
      // The caller reports its own errors; a failed refetch must not stop later ones.
    } finally {
      this.running = false;
      if (this.pending) this.trigger();
    }
  }

  /** Forgets the interval (e.g. after the user changed the query, which must apply at once). */
  reset(): void {
    this.lastStart = -Infinity;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}
