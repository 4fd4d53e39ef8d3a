/** A real SQLite file in a fresh temp folder, removed after the test. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { openStore, type Store, type OpenStoreOptions } from '../../../src-main/store';

export interface TempStores {
  dir(): string;
  file(): string;
  open(options?: Partial<OpenStoreOptions>): Store;
}

/** Call at the top of a describe block; each test gets its own folder. */
export function useTempStores(): TempStores {
  let dir = '';
  const opened: Store[] = [];
  afterEach(() => {
    for (const s of opened.splice(0)) s.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = '';
  });
  const ensure = (): string => {
    if (!dir) dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipwb-store-'));
    return dir;
  };
  return {
    dir: ensure,
    file: () => path.join(ensure(), 'clipwb.sqlite'),
    open: (options = {}) => {
      const store = openStore({ file: path.join(ensure(), 'clipwb.sqlite'), ...options });
      opened.push(store);
      return store;
    },
  };
}
