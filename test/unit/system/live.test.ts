import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { coreLoad, coreLoads, diskFree, meanOf, SystemSampler } from '../../../src-main/system/live';

const t = (user: number, idle: number) => ({ user, nice: 0, sys: 0, idle, irq: 0 });

describe('live system figures', () => {
  it('computes each core\'s busy fraction from two readings of its cumulative times', () => {
    expect(coreLoad(t(100, 100), t(175, 125))).toBeCloseTo(0.75, 10);
    expect(coreLoad(t(100, 100), t(100, 100))).toBeNull();
    expect(coreLoads(null, [t(1, 1)])).toEqual([null]);
    expect(coreLoads([t(0, 0), t(0, 0)], [t(10, 30), t(40, 0)])).toEqual([0.25, 1]);
    expect(meanOf([0.25, 1, null])).toBeCloseTo(0.625, 10);
    expect(meanOf([null])).toBeNull();
  });
  it('reads free space of the data folder\'s file system', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipwb-live-'));
    try {
      const d = diskFree(dir);
      expect(d.totalBytes).toBeGreaterThan(0);
      expect(d.freeBytes).toBeGreaterThan(0);
      expect(d.freeBytes).toBeLessThanOrEqual(d.totalBytes);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  it('samples per-core load from the second sample on, live memory, and names an unreadable data folder', async () => {
    const s = new SystemSampler('/nonexistent/clipwb-data');
    const first = s.sample();
    expect(first.cpuPerCore).toHaveLength(os.cpus().length);
    expect(first.cpuPerCore.every((c) => c === null)).toBe(true);
    expect(first.disk).toBeNull();
    expect(first.diskError).toContain('/nonexistent/clipwb-data');
    // Keep one core busy a little so some time passes between the readings.
    const until = Date.now() + 60;
    while (Date.now() < until) { /* spin */ }
    const second = s.sample();
    expect(second.cpuPerCore.some((c) => c !== null)).toBe(true);
    for (const c of second.cpuPerCore) if (c !== null) expect(c).toBeGreaterThanOrEqual(0);
    expect(second.memory.totalBytes).toBe(os.totalmem());
    expect(second.memory.usedBytes).toBeGreaterThan(0);
    expect(s.latest()).toBe(second);
  });
});
