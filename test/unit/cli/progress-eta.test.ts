import { afterEach, describe, expect, it, vi } from 'vitest';
import { createProgressBar } from '../../../src-main/cli/progress';

/** A non-TTY stream that keeps what the bar prints. */
function capture(): { stream: NodeJS.WriteStream; lines: string[] } {
  const lines: string[] = [];
  const stream = { isTTY: false, write: (s: string) => { lines.push(s.trim()); return true; } } as unknown as NodeJS.WriteStream;
  return { stream, lines };
}

describe('progress bar ETA', () => {
  afterEach(() => { vi.useRealTimers(); });

  it('measures the pace from the first report, so a slow setup does not inflate the ETA', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-12-03T12:00:00Z'));
    const { stream, lines } = capture();
    const bar = createProgressBar('train', { stream, intervalMs: 0 });
    vi.advanceTimersByTime(60_000); // a minute of setup before the first step
    bar.update(1, 101);
    expect(lines.at(-1)).toContain('eta --:--'); // one point gives no pace yet
    vi.advanceTimersByTime(10_000); // then 10 steps in 10 s: 90 steps left at 1 step/s
    bar.update(11, 101);
    expect(lines.at(-1)).toContain('1.0/s');
    expect(lines.at(-1)).toContain('eta 1:30');
  });
});
