import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { MAX_TOASTS, useNotifications } from '../../../../src-renderer/stores/notifications';

describe('notifications store', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    setActivePinia(createPinia());
  });
  afterEach(() => vi.useRealTimers());

  it('closes info toasts by itself and keeps errors until dismissed', () => {
    const n = useNotifications();
    n.push({ level: 'info', title: 'Run finished', body: 'demo' });
    const err = n.push({ level: 'error', title: 'Run failed', body: 'out of memory', runId: 'r1' });
    vi.advanceTimersByTime(6001);
    expect(n.toasts.map((t) => t.title)).toEqual(['Run failed']);
    expect(n.toasts[0]?.runId).toBe('r1');
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
