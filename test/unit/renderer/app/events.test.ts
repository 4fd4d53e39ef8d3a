import { describe, expect, it, vi } from 'vitest';
import { effectScope } from 'vue';
import type { ApiClient } from '../../../../src-shared/api/contract';
import type { ApiEvent } from '../../../../src-shared/api/types';
import { EventHub, connectEvents, dispatchEvents, useEvents } from '../../../../src-renderer/stores/events';

const log = (id: number): ApiEvent => ({ type: 'log', line: { id, runId: 'r', time: 0, level: 'info', kind: 'x', message: 'm' } });
const gpu: ApiEvent = { type: 'gpu', gpus: [] };

describe('EventHub', () => {
  it('delivers each event to the handlers of its type, in order, and whole batches to batch handlers', () => {
    const hub = new EventHub();
    const logs: number[] = [];
    const batches: number[] = [];
    hub.on('log', (e) => logs.push(e.line.id));
    hub.onBatch((b) => batches.push(b.length));
    hub.dispatch([log(1), gpu, log(2)]);
    expect(logs).toEqual([1, 2]);
    expect(batches).toEqual([3]);
  });
  it('removes exactly the registration it was given', () => {
    const hub = new EventHub();
    const seen: string[] = [];
    const h = () => seen.push('x');
    const off1 = hub.on('gpu', h);
    hub.on('gpu', h);
    off1();
    hub.dispatch([gpu]);
    expect(seen).toEqual(['x']);
  });
  it('keeps delivering when one handler throws', () => {
    const hub = new EventHub();
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const seen: number[] = [];
    hub.on('log', () => { throw new Error('boom'); });
    hub.on('log', (e) => seen.push(e.line.id));
    hub.dispatch([log(7)]);
    expect(seen).toEqual([7]);
    expect(err).toHaveBeenCalled();
    err.mockRestore();
  });
  it('lets a handler unsubscribe itself during dispatch without skipping others', () => {
    const hub = new EventHub();
    const seen: string[] = [];
    const off = hub.on('gpu', () => { seen.push('a'); off(); });
    hub.on('gpu', () => seen.push('b'));
    hub.dispatch([gpu, gpu]);
    expect(seen).toEqual(['a', 'b', 'b']);
  });
});

describe('useEvents and connectEvents', () => {
  it('drops handlers when their effect scope (component or store) is disposed', () => {
    const seen: number[] = [];
    const scope = effectScope();
    scope.run(() => useEvents().on('log', (e) => seen.push(e.line.id)));
    dispatchEvents([log(1)]);
    scope.stop();
    dispatchEvents([log(2)]);
    expect(seen).toEqual([1]);
  });
  it('subscribes once to the client and switching clients drops the old subscription', () => {
    const listeners: ((e: ApiEvent[]) => void)[] = [];
    const unsubscribed: number[] = [];
    const fake = (n: number): ApiClient => ({
      transport: 'web',
      call: () => Promise.reject(new Error('unused')),
      subscribe: (l) => { listeners.push(l); return () => unsubscribed.push(n); },
    });
    const seen: number[] = [];
    const scope = effectScope();
    scope.run(() => useEvents().on('log', (e) => seen.push(e.line.id)));
    connectEvents(fake(1));
    const stop = connectEvents(fake(2));
    expect(listeners).toHaveLength(2);
    expect(unsubscribed).toEqual([1]);
    listeners[1]!([log(5)]);
    expect(seen).toEqual([5]);
    stop();
    expect(unsubscribed).toEqual([1, 2]);
    scope.stop();
  });
});
