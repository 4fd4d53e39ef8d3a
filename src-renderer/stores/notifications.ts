/**
 * Toasts, for every page (UI engineer 2 too): `useNotifications().push({ level, title, body })`, or
 * `.error(err, 'Could not start the download')` in a catch. Every toast goes away on its own (info and
 * success after 6 s, warnings after 12 s, errors after 20 s: a sticky "Run failed" once covered another
 * run's charts for minutes); the pointer on a toast holds it open, and the run's own page, the Runs
 * table and the log keep what a toast said.
 * The shell (App.vue) turns the API's `notification` events into toasts and, when the page is hidden
 * and the user allowed it, into system notifications.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { messageWithFix } from '../../src-shared/errors';

export type ToastLevel = 'info' | 'success' | 'warn' | 'error';

export interface Toast {
  id: number;
  level: ToastLevel;
  title: string;
  body: string;
  runId?: string;
  createdAt: number;
}

export interface ToastInput {
  level: ToastLevel;
  title: string;
  body?: string;
  runId?: string;
  /** Milliseconds before it closes itself; 0 = stays. Defaults: DEFAULT_TIMEOUT_MS by level. */
  timeoutMs?: number;
}

/** More than this many toasts at once is noise: the oldest go first. */
export const MAX_TOASTS = 6;

export const DEFAULT_TIMEOUT_MS: Record<ToastLevel, number> = { info: 6000, success: 6000, warn: 12_000, error: 20_000 };

export const useNotifications = defineStore('notifications', () => {
  const toasts = ref<Toast[]>([]);
  let nextId = 1;
  const timers = new Map<number, ReturnType<typeof setTimeout>>();
  /** Each timed toast's timeout, to restart it after the pointer leaves. */
  const timeouts = new Map<number, number>();

  function dismiss(id: number): void {
    toasts.value = toasts.value.filter((t) => t.id !== id);
    const timer = timers.get(id);
    if (timer !== undefined) clearTimeout(timer);
    timers.delete(id);
    timeouts.delete(id);
  }

  /** Keeps a toast open while the pointer is on it (or it has focus). */
  function hold(id: number): void {
    const timer = timers.get(id);
    if (timer !== undefined) clearTimeout(timer);
    timers.delete(id);
  }

  /** Restarts a held toast's full timeout. */
  function release(id: number): void {
    const ms = timeouts.get(id);
    if (ms === undefined || timers.has(id) || !toasts.value.some((t) => t.id === id)) return;
    timers.set(id, setTimeout(() => dismiss(id), ms));
  }

  function push(input: ToastInput): number {
    const id = nextId++;
    // The same message arriving again (e.g. a retried call) replaces the old one instead of stacking.
    const dup = toasts.value.find((t) => t.title === input.title && t.body === (input.body ?? '') && t.level === input.level);
    if (dup) dismiss(dup.id);
    const toast: Toast = { id, level: input.level, title: input.title, body: input.body ?? '', createdAt: Date.now(), ...(input.runId ? { runId: input.runId } : {}) };
    toasts.value = [...toasts.value, toast];
    while (toasts.value.length > MAX_TOASTS) {
      const oldest = toasts.value[0];
      if (oldest) dismiss(oldest.id);
    }
    const timeout = input.timeoutMs ?? DEFAULT_TIMEOUT_MS[input.level];
    if (timeout > 0) {
      timeouts.set(id, timeout);
      timers.set(id, setTimeout(() => dismiss(id), timeout));
    }
    return id;
  }

  /** A failed action: the error's message is the body (API errors already name the field and the fix). */
  function error(err: unknown, title = 'Something went wrong'): number {
    return push({ level: 'error', title, body: messageWithFix(err) });
  }

  function clear(): void {
    for (const t of [...toasts.value]) dismiss(t.id);
  }

  return { toasts, push, error, dismiss, clear, hold, release };
});
