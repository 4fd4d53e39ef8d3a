import { describe, expect, it } from 'vitest';
import { RefetchThrottle, type Clock } from '../../../../src-renderer/charts/throttle';

/** A manual clock: timers fire only when the test advances time. */
function manualClock(): Clock & { advance(ms: number): void } {
  let now = 0;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 1;
  return {
    now: () => now,
    setTimeout: (fn, ms) => { const id = nextId++; timers.push({ at: now + ms, fn, id }); return id; },
    clearTimeout: (h) => { timers = timers.filter((t) => t.id !== h); },
    advance(ms) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      for (const t of due) t.fn();
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('RefetchThrottle', () => {
  it('runs at once when idle, then at most once per interval however many triggers arrive', async () => {
    const clock = manualClock();
    let runs = 0;
    const t = new RefetchThrottle(async () => { runs++; }, 2000, clock);
    t.trigger();
    await settle();
    expect(runs).toBe(1);
    for (let i = 0; i < 50; i++) { t.trigger(); clock.advance(10); }
    await settle();
    expect(runs).toBe(1);
    clock.advance(2000);
    await settle();
    expect(runs).toBe(2);
    clock.advance(5000);
    await settle();
    expect(runs).toBe(2);
  });
  it('never overlaps fetches and makes one more after a trigger that came during a fetch', async () => {
    const clock = manualClock();
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    let release: () => void = () => undefined;
    const t = new RefetchThrottle(() => new Promise<void>((resolve) => {
      runs++;
      active++;
      maxActive = Math.max(maxActive, active);
      release = () => { active--; resolve(); };
    }), 100, clock);
    t.trigger();
    clock.advance(500);
    t.trigger();
    t.trigger();
    expect(runs).toBe(1);
    release();
    await settle();
    clock.advance(100);
    await settle();
    expect(runs).toBe(2);
    release();
    await settle();
    expect(maxActive).toBe(1);
  });
  it('reset() lets a user-requested change through immediately; stop() silences it', async () => {
    const clock = manualClock();
    let runs = 0;
    const t = new RefetchThrottle(async () => { runs++; }, 2000, clock);
    t.trigger();
    await settle();
    t.reset();
    t.trigger();
    await settle();
    expect(runs).toBe(2);
    t.trigger();
    t.stop();
    clock.advance(5000);
    await settle();
    expect(runs).toBe(2);
  });
  it('keeps going after a failed fetch', async () => {
    const clock = manualClock();
    let runs = 0;
    const t = new RefetchThrottle(async () => { runs++; throw new Error('offline'); }, 100, clock);
    t.trigger();
    await settle();
    clock.advance(100);
    t.trigger();
    await settle();
    expect(runs).toBe(2);
  });
});
