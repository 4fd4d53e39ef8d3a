/**
 * Builds of the desktop app: the main process (core services + Electron shell), the preload bridge
 * (CommonJS: a sandboxed preload cannot load ES modules), the worker entry forked per GPU with its data
 * loader thread, and the Vue renderer. Tests and the CLI do not need this build: they run the
 * TypeScript sources through tsx.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import vue from '@vitejs/plugin-vue';

const root = dirname(fileURLToPath(import.meta.url));

/** The data loader's worker-thread bootstrap is loaded by URL at run time, beside the bundle. */
const copyThreadBootstrap = {
  name: 'clipwb-copy-thread-bootstrap',
  writeBundle() {
    mkdirSync(resolve(root, 'out/main'), { recursive: true });
    copyFileSync(resolve(root, 'src-worker/data/loader/thread-bootstrap.mjs'), resolve(root, 'out/main/thread-bootstrap.mjs'));
  },
};

export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin(), copyThreadBootstrap],
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(root, 'src-main/electron/main.ts'),
          worker: resolve(root, 'src-worker/main.ts'),
          'stream-thread': resolve(root, 'src-worker/data/loader/stream-thread.ts'),
        },
        output: { entryFileNames: '[name].js', format: 'es' },
      },
    },
  },
  preload: {
    plugins: [externalizeDepsPlugin()],
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(root, 'src-main/electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    plugins: [vue()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      rollupOptions: { input: { index: resolve(root, 'src-renderer/index.html') } },
    },
  },
});
