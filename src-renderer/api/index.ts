/** The one API object the renderer talks to, whichever transport serves it. */
import type { ApiClient } from '../../src-shared/api/contract';
import { createElectronClient, type PreloadBridge } from './electron-client';
import { createWebClient } from './web-client';

let client: ApiClient | null = null;

export function useApi(): ApiClient {
  if (!client) {
    const bridge = (window as unknown as { clipwb?: PreloadBridge }).clipwb;
    client = bridge ? createElectronClient(bridge) : createWebClient();
  }
  return client;
}

/** Tests and previews can install another client (e.g. an in-memory fake). */
export function setApi(c: ApiClient): void {
  client = c;
}

export { RemoteApiError } from './web-client';
