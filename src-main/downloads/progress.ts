/**
 * Transfer rate and ETA over a sliding window (a lifetime average would hide a stall; an instant rate
 * jumps around), and throttling so listeners get a few updates per second, not one per 16 KiB chunk.
 */
export interface ProgressFigures {
  bytesDone: number;
  bytesTotal: number | null;
  /** null until two samples a measurable time apart exist. */
  rateBytesPerSec: number | null;
  etaSeconds: number | null;
}

export class ProgressMeter {
  private samples: { t: number; bytes: number }[] = [];
  private lastEmitAt = -Infinity;
  private bytesDone = 0;
  private bytesTotal: number | null = null;

  constructor(
    private readonly windowMs = 5000,
    private readonly minIntervalMs = 250,
  ) {}

  /** `transferred`: bytes received in this session (not counting a resumed part), for the rate. */
  update(bytesDone: number, bytesTotal: number | null, transferred: number, now: number): void {
    this.bytesDone = bytesDone;
    this.bytesTotal = bytesTotal;
    this.samples.push({ t: now, bytes: transferred });
    while (this.samples.length > 2 && (this.samples[0]?.t ?? now) < now - this.windowMs) this.samples.shift();
  }

  /** True at most every `minIntervalMs`; marks the emission. */
  shouldEmit(now: number): boolean {
    if (now - this.lastEmitAt < this.minIntervalMs) return false;
    this.lastEmitAt = now;
    return true;
  }

  figures(): ProgressFigures {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    let rate: number | null = null;
    if (first && last && last.t - first.t >= 50) rate = ((last.bytes - first.bytes) * 1000) / (last.t - first.t);
    const remaining = this.bytesTotal === null ? null : Math.max(0, this.bytesTotal - this.bytesDone);
    const eta = remaining === null || rate === null ? null : rate > 0 ? remaining / rate : remaining === 0 ? 0 : null;
    return { bytesDone: this.bytesDone, bytesTotal: this.bytesTotal, rateBytesPerSec: rate, etaSeconds: eta };
  }
}
