/** Calls the running web mode's API from a test (the same HTTP route the renderer uses). */
import type { ApiInput, ApiMethod, ApiOutput } from '../../../src-shared/api/contract';
import type { E2eServerInfo } from './global-setup';

export function apiOf(server: E2eServerInfo) {
  return async function call<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<ApiOutput<M>> {
    const res = await fetch(`${server.origin}/api/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` },
      body: JSON.stringify(input),
    });
    const body = (await res.json()) as { result?: ApiOutput<M>; error?: { message: string } };
    if (!res.ok || body.error) throw new Error(`${method}: ${body.error?.message ?? `HTTP ${res.status}`}`);
    return body.result as ApiOutput<M>;
  };
}

/** Polls until `check` returns a value (not null/undefined/false), or fails naming what it waited for. */
export async function waitFor<T>(what: string, check: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 120_000, everyMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const v = await check();
      if (v !== null && v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
