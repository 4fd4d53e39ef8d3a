/**
 * The API over Electron IPC: the preload script exposes `window.clipwb` through contextBridge, with
 * the same call/subscribe shape; errors come back as { error } and are rebuilt here.
 */
import type { ApiClient, ApiErrorBody, ApiInput, ApiMethod, ApiOutput } from '../../src-shared/api/contract';
import type { ApiEvent } from '../../src-shared/api/types';
import { RemoteApiError } from './remote-error';

export interface PreloadBridge {
  invoke(method: string, input: unknown): Promise<{ result?: unknown; error?: ApiErrorBody }>;
  onEvents(listener: (events: ApiEvent[]) => void): () => void;
  pickPath(o: { kind: 'folder' | 'file' | 'save'; title: string; defaultPath?: string; filters?: { name: string; extensions: string[] }[] }): Promise<string | null>;
  /** Menu items (File > New Run…) ask the page to go to a route ("/new"). */
  onNavigate?(listener: (route: string) => void): () => void;
}

export function createElectronClient(bridge: PreloadBridge): ApiClient {
  return {
    transport: 'electron',
    async call<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<ApiOutput<M>> {
      const r = await bridge.invoke(method, input ?? {});
      if (r.error) throw new RemoteApiError(r.error);
      return r.result as ApiOutput<M>;
    },
    subscribe: (listener) => bridge.onEvents(listener),
    pickPath: (o) => bridge.pickPath(o),
  };
}
