/**
 * End-to-end tests: the built renderer in Debian's Chromium against the real web mode (one server for
 * the whole run, started by global-setup.ts). Run with
 *   npx vitest run --config test/e2e/helpers/vitest.e2e.config.ts
 * Files run one after another: they share the server, and each drives a browser plus training workers
 * on a 2-core machine.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('../../..', import.meta.url).pathname,
    include: ['test/e2e/**/*.e2e.ts'],
    globalSetup: ['test/e2e/helpers/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    // Generous: runs queue one at a time on the shared CPU, and a loaded machine trains slowly.
    // Waits inside tests poll for a state, never sleep for a time.
    testTimeout: 480_000,
    hookTimeout: 480_000,
    reporters: ['default'],
  },
});
