/**
 * The API over HTTP + WebSocket (web mode): POST /api/<method> with the token, events from /events.
 * The token comes from the URL the server printed (?token=...), and is kept for the session only.
 */
import type { ApiClient, ApiErrorBody, ApiInput, ApiMethod, ApiOutput } from '../../src-shared/api/contract';
import type { ApiEvent } from '../../src-shared/api/types';
import { RemoteApiError } from './remote-error';

export { RemoteApiError };

function tokenFromLocation(): string {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) sessionStorage.setItem('clipwb-token', fromUrl);
  return fromUrl ?? sessionStorage.getItem('clipwb-token') ?? '';
}

export function createWebClient(base = ''): ApiClient {
  const token = tokenFromLocation();
  const listeners = new Set<(events: ApiEvent[]) => void>();
  let socket: WebSocket | null = null;
  let retry = 500;
  const connect = () => {
    const proto = window.location.protocol === 'https:' ? 'wss' : 'ws';
    socket = new WebSocket(`${proto}://${window.location.host}${base}/events?token=${encodeURIComponent(token)}`);
    socket.onmessage = (m) => {
      const events = JSON.parse(String(m.data)) as ApiEvent[];
      for (const l of listeners) l(events);
    };
    socket.onopen = () => { retry = 500; };
    socket.onclose = () => {
      socket = null;
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10_000);
    };
  };
  return {
    transport: 'web',
    async call<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<ApiOutput<M>> {
      const res = await fetch(`${base}/api/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(input ?? {}),
      });
      const body = (await res.json()) as { result?: ApiOutput<M>; error?: ApiErrorBody };
      if (!res.ok || body.error) throw new RemoteApiError(body.error ?? { name: 'HttpError', message: `HTTP ${res.status}`, status: res.status });
      return body.result as ApiOutput<M>;
    },
    subscribe(listener) {
      listeners.add(listener);
      if (!socket) connect();
      return () => listeners.delete(listener);
    },
  };
}
