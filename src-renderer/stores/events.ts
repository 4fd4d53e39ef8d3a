/**
 * One subscription to the API's batched events for the whole app, fanned out by event type.
 *
 * For everyone (UI engineer 2 too): call `useEvents().on('download', (e) => ...)` inside a component's
 * setup or a Pinia store; the handler is removed when that component (or effect scope) goes away.
 * `onBatch` gets each batch whole, for handlers that want to coalesce work (one refetch per batch).
 * Never subscribe to the client directly: every subscription would be another WebSocket listener.
 */
import { getCurrentScope, onScopeDispose } from 'vue';
import type { ApiClient } from '../../src-shared/api/contract';
import type { ApiEvent } from '../../src-shared/api/types';

export type ApiEventType = ApiEvent['type'];
export type EventOf<T extends ApiEventType> = Extract<ApiEvent, { type: T }>;
type Handler = (e: ApiEvent) => void;
type BatchHandler = (events: readonly ApiEvent[]) => void;

export class EventHub {
  private readonly byType = new Map<ApiEventType, Set<Handler>>();
  private readonly batchHandlers = new Set<BatchHandler>();

  on<T extends ApiEventType>(type: T, handler: (e: EventOf<T>) => void): () => void {
    let set = this.byType.get(type);
    if (!set) {
      set = new Set();
      this.byType.set(type, set);
    }
    // Wrapped so the same function can be registered twice and removed once per registration.
    const h: Handler = (e) => handler(e as EventOf<T>);
    set.add(h);
    return () => { set.delete(h); };
  }

  onBatch(handler: BatchHandler): () => void {
    const h: BatchHandler = (events) => handler(events);
    this.batchHandlers.add(h);
    return () => { this.batchHandlers.delete(h); };
  }

  /** Delivers a batch: per-event handlers first, then batch handlers. A throwing handler does not stop the others. */
  dispatch(events: readonly ApiEvent[]): void {
    for (const e of events) {
      const set = this.byType.get(e.type);
      if (!set) continue;
      for (const h of [...set]) {
        try {
          h(e);
        } catch (err) {
          console.error(`event handler for "${e.type}" failed`, err);
        }
      }
    }
    for (const h of [...this.batchHandlers]) {
      try {
        h(events);
      } catch (err) {
        console.error('event batch handler failed', err);
      }
    }
  }

  listenerCount(): number {
    let n = this.batchHandlers.size;
    for (const s of this.byType.values()) n += s.size;
    return n;
  }
}

const hub = new EventHub();
let unsubscribe: (() => void) | null = null;

/** Connects the hub to the client; main.ts calls it once. Calling it again switches clients. */
export function connectEvents(client: ApiClient): () => void {
  unsubscribe?.();
  unsubscribe = client.subscribe((events) => hub.dispatch(events));
  return () => {
    unsubscribe?.();
    unsubscribe = null;
  };
}

function scoped(off: () => void): () => void {
  if (getCurrentScope()) onScopeDispose(off);
  return off;
}

export function useEvents(): {
  on<T extends ApiEventType>(type: T, handler: (e: EventOf<T>) => void): () => void;
  onBatch(handler: BatchHandler): () => void;
} {
  return {
    on: (type, handler) => scoped(hub.on(type, handler)),
    onBatch: (handler) => scoped(hub.onBatch(handler)),
  };
}

/** For tests and the fake client: push events through the same path as the transport does. */
export function dispatchEvents(events: readonly ApiEvent[]): void {
  hub.dispatch(events);
}
