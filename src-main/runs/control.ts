/**
 * Requests to a run that another workbench process supervises (the app stopping a run started with
 * `clipwb train`, or `clipwb runs cancel` stopping one of the app's). Only the supervising process talks
 * to the workers, so the request goes through the store as an event; the supervisor reads it on its
 * next tick and acts as if it had been asked directly.
 */
import type { Store } from '../store';

export const CONTROL_KIND = 'control';
export type ControlAction = 'cancel' | 'pause' | 'checkpoint';
const ACTIONS: readonly ControlAction[] = ['cancel', 'pause', 'checkpoint'];

export function requestControl(store: Store, runId: string, action: ControlAction): void {
  store.events.addOne({ runId, level: 'info', kind: CONTROL_KIND, message: `${action} requested by process ${process.pid}`, data: { action } });
}

/** Requests newer than `afterId`, oldest first. */
export function readControl(store: Store, runId: string, afterId: number): { id: number; action: ControlAction }[] {
  const out: { id: number; action: ControlAction }[] = [];
  for (const e of store.events.list({ runId, kinds: [CONTROL_KIND], afterId, limit: 100 })) {
    const action = (e.data as { action?: unknown } | null)?.action;
    if (typeof action === 'string' && (ACTIONS as readonly string[]).includes(action)) out.push({ id: e.id, action: action as ControlAction });
  }
  return out;
}

/** The id of the newest event: requests made before a run starts are not for its workers. */
export function latestEventId(store: Store): number {
  return store.events.list({ limit: 1 })[0]?.id ?? 0;
}
