import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { DEFAULT_TIMEOUT_MS, MAX_TOASTS, useNotifications } from '../../../../src-renderer/stores/notifications';

describe('notifications store', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    setActivePinia(createPinia());
  });
  afterEach(() => vi.useRealTimers());

  it('closes info toasts first, and errors by themselves too (they never cover a page for good)', () => {
    const n = useNotifications();
    n.push({ level: 'info', title: 'Run finished', body: 'demo' });
    n.push({ level: 'error', title: 'Run failed', body: 'out of memory', runId: 'r1' });
    n.push({ level: 'warn', title: 'Run stalled' });
    vi.advanceTimersByTime(DEFAULT_TIMEOUT_MS.info + 1);
    expect(n.toasts.map((t) => t.title)).toEqual(['Run failed', 'Run stalled']);
    expect(n.toasts[0]?.runId).toBe('r1');
    vi.advanceTimersByTime(DEFAULT_TIMEOUT_MS.warn - DEFAULT_TIMEOUT_MS.info);
    expect(n.toasts.map((t) => t.title)).toEqual(['Run failed']);
    vi.advanceTimersByTime(DEFAULT_TIMEOUT_MS.error - DEFAULT_TIMEOUT_MS.warn);
    expect(n.toasts).toEqual([]);
  });
  it('holds a toast open while the pointer is on it, and restarts its timeout after', () => {
    const n = useNotifications();
    const id = n.push({ level: 'error', title: 'Run failed' });
    vi.advanceTimersByTime(DEFAULT_TIMEOUT_MS.error - 10);
    n.hold(id);
    vi.advanceTimersByTime(60_000);
    expect(n.toasts).toHaveLength(1);
    n.release(id);
    vi.advanceTimersByTime(DEFAULT_TIMEOUT_MS.error - 10);
    expect(n.toasts).toHaveLength(1);
    vi.advanceTimersByTime(20);
    expect(n.toasts).toEqual([]);
  });
  it('closes a toast at once when dismissed', () => {
    const n = useNotifications();
    const err = n.push({ level: 'error', title: 'Run failed' });
    n.dismiss(err);
    expect(n.toasts).toEqual([]);
  });
  it('replaces an identical toast instead of stacking it', () => {
    const n = useNotifications();
    n.push({ level: 'warn', title: 'Run stalled', body: 'x' });
    n.push({ level: 'warn', title: 'Run stalled', body: 'x' });
    expect(n.toasts).toHaveLength(1);
  });
  it('keeps at most MAX_TOASTS, dropping the oldest', () => {
    const n = useNotifications();
    for (let i = 0; i < MAX_TOASTS + 3; i++) n.push({ level: 'error', title: `e${i}` });
    expect(n.toasts).toHaveLength(MAX_TOASTS);
    expect(n.toasts[0]?.title).toBe('e3');
  });
  it('turns a caught error into an error toast with its message', () => {
    const n = useNotifications();
    n.error(new Error('runs.update: tags.0: too long'), 'Could not save');
    expect(n.toasts[0]).toMatchObject({ level: 'error', title: 'Could not save', body: 'runs.update: tags.0: too long' });
  });
  it('honours an explicit timeout, 0 meaning sticky', () => {
    const n = useNotifications();
    n.push({ level: 'success', title: 'sticky', timeoutMs: 0 });
    n.push({ level: 'error', title: 'short', timeoutMs: 100 });
    vi.advanceTimersByTime(10_000);
    expect(n.toasts.map((t) => t.title)).toEqual(['sticky']);
  });
});
