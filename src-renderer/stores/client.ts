/**
 * The API client the stores use. main.ts installs `useApi()` here once; unit tests install an
 * in-memory fake. Kept apart from api/index.ts so stores stay importable in Node tests (no window).
 */
import type { ApiClient } from '../../src-shared/api/contract';

let current: ApiClient | null = null;

export function installClient(client: ApiClient): void {
  current = client;
}

export function client(): ApiClient {
  if (!current) throw new Error('no API client installed: main.ts calls installClient(useApi()) before mounting the app');
  return current;
}
