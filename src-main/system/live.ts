/**
 * Live machine figures for the dashboard's system panel, sampled on an interval by the app: CPU load
 * per logical core (from the difference of two os.cpus() readings), memory in use, and free space on
 * the file system that holds the data folder. GPU cards come from the GPU monitor, not from here.
 * All reads are cheap and synchronous (no child process), so sampling every couple of seconds costs
 * nothing measurable.
 */
import fs from 'node:fs';
import os from 'node:os';
import type { SystemStats } from '../../src-shared/api/types';

export type { SystemStats };

export interface CpuTimes { user: number; nice: number; sys: number; idle: number; irq: number }


/** Busy fraction of one core between two readings of its cumulative times; null when no time passed. */
export function coreLoad(prev: CpuTimes, next: CpuTimes): number | null {
  const busy = (t: CpuTimes) => t.user + t.nice + t.sys + t.irq;
  const dBusy = busy(next) - busy(prev);
  const dAll = dBusy + (next.idle - prev.idle);
  if (!(dAll > 0) || dBusy < 0) return null;
  return Math.min(1, Math.max(0, dBusy / dAll));
}

/** Per-core loads from two os.cpus()-shaped readings (a core missing from either is null). */
export function coreLoads(prev: readonly CpuTimes[] | null, next: readonly CpuTimes[]): (number | null)[] {
  return next.map((n, i) => (prev && prev[i] ? coreLoad(prev[i]!, n) : null));
}

export function meanOf(xs: readonly (number | null)[]): number | null {
  const known = xs.filter((x): x is number => x !== null);
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0) / known.length;
}

export function diskFree(dir: string): { path: string; freeBytes: number; totalBytes: number } {
  const s = fs.statfsSync(dir);
  return { path: dir, freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
}

/** Keeps the previous CPU reading so each sample reports the load since the last one. */
export class SystemSampler {
  private prev: CpuTimes[] | null = null;
  private last: SystemStats | null = null;

  constructor(private readonly dataDir: string) {}

  sample(): SystemStats {
    const times = os.cpus().map((c) => c.times);
    const cpuPerCore = coreLoads(this.prev, times);
    this.prev = times;
    let disk: SystemStats['disk'] = null;
    let diskError: string | null = null;
    try {
      disk = diskFree(this.dataDir);
    } catch (err) {
      diskError = `could not read free space of ${this.dataDir}: ${err instanceof Error ? err.message : String(err)}`;
    }
    const total = os.totalmem();
    const la = os.loadavg();
    this.last = {
      t: Date.now(), cpuPerCore, cpuTotal: meanOf(cpuPerCore), loadAverage: [la[0] ?? 0, la[1] ?? 0, la[2] ?? 0],
      memory: { totalBytes: total, usedBytes: Math.max(0, total - os.freemem()) }, disk, diskError,
    };
    return this.last;
  }

  /** The latest sample, taking one when none exists yet. */
  latest(): SystemStats {
    return this.last ?? this.sample();
  }
}
