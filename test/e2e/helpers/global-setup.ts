/**
 * One web-mode server for all end-to-end files: a fresh data folder, no GPU (nvidia-smi hidden), the
 * renderer built first. Tests reach it through inject('clipwb').
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startWebServer } from '../../../src-main/server/web-server';
import { ensureRendererBuilt, RENDERER_OUT } from './build';

export interface E2eServerInfo { url: string; origin: string; token: string; home: string }

declare module 'vitest' {
  export interface ProvidedContext { clipwb: E2eServerInfo }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  ensureRendererBuilt();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'clipwb-e2e-'));
  const server = await startWebServer({ home, port: 0, staticDir: RENDERER_OUT, env: { ...process.env, PATH: '/nonexistent' } });
  project.provide('clipwb', { url: server.url, origin: server.origin, token: server.token, home });
  return async () => {
    await server.close();
    fs.rmSync(home, { recursive: true, force: true });
  };
}
