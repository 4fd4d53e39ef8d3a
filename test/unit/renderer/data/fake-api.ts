/**
 * An in-memory ApiClient for store tests: each method answers from a handler the test gives, calls
 * are recorded, and errors look like the transports' (message, `field`, `body.status`).
 */
import type { ApiClient, ApiInput, ApiMethod, ApiOutput } from '../../../../src-shared/api/contract';
import type { ApiEvent } from '../../../../src-shared/api/types';

export type Handlers = { [M in ApiMethod]?: (input: ApiInput<M>) => ApiOutput<M> | Promise<ApiOutput<M>> };

export function apiError(message: string, field?: string, status = 400): Error {
  return Object.assign(new Error(message), { name: 'ValidationError', field, body: { name: 'ValidationError', message, status, ...(field ? { field } : {}) } });
}

export interface FakeApi extends ApiClient {
  calls: { method: ApiMethod; input: unknown }[];
  handlers: Handlers;
  callsOf(method: ApiMethod): unknown[];
}

export function fakeApi(handlers: Handlers): FakeApi {
  const calls: { method: ApiMethod; input: unknown }[] = [];
  const api: FakeApi = {
    transport: 'web',
    calls,
    handlers,
    callsOf: (method) => calls.filter((c) => c.method === method).map((c) => c.input),
    async call<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<ApiOutput<M>> {
      calls.push({ method, input });
      const h = api.handlers[method] as ((i: ApiInput<M>) => ApiOutput<M> | Promise<ApiOutput<M>>) | undefined;
      if (!h) throw apiError(`${method} is not faked in this test`, undefined, 500);
      return h(input);
    },
    subscribe: (_listener: (events: ApiEvent[]) => void) => () => undefined,
  };
  return api;
}

/** Lets pending promise callbacks run. */
export const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 0));
