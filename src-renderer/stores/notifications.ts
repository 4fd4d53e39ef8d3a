/**
 * Toasts, for every page (UI engineer 2 too): `useNotifications().push({ level, title, body })`, or
 * `.error(err, 'Could not start the download')` in a catch. Info and success toasts go away on their
 * own; warnings and errors stay until closed, so a crash notice is not missed while looking elsewhere.
 * The shell (App.vue) turns the API's `notification` events into toasts and, when the page is hidden
 * and the user allowed it, into system notifications.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';

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
  /** Milliseconds before it closes itself; 0 = stays. Defaults: 6 s for info/success, stays otherwise. */
  timeoutMs?: number;
}

/** More than this many toasts at once is noise: the oldest go first. */
export const MAX_TOASTS = 6;

export const useNotifications = defineStore('notifications', () => {
  const toasts = ref<Toast[]>([]);
  let nextId = 1;
  const timers = new Map<number, ReturnType<typeof setTimeout>>();

  function dismiss(id: number): void {
    toasts.value = toasts.value.filter((t) => t.id !== id);
    const timer = timers.get(id);
    if (timer !== undefined) clearTimeout(timer);
    timers.delete(id);
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
    const timeout = input.timeoutMs ?? (input.level === 'info' || input.level === 'success' ? 6000 : 0);
    if (timeout > 0) timers.set(id, setTimeout(() => dismiss(id), timeout));
    return id;
  }

  /** A failed action: the error's message is the body (API errors already name the field and the fix). */
  function error(err: unknown, title = 'Something went wrong'): number {
    const body = err instanceof Error ? err.message : String(err);
    return push({ level: 'error', title, body });
  }

  function clear(): void {
    for (const t of [...toasts.value]) dismiss(t.id);
  }

  return { toasts, push, error, dismiss, clear };
});
