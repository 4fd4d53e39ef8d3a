/** Builds the renderer (npm run build:web) when out/renderer is missing or older than src-renderer. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const RENDERER_OUT = path.resolve('out', 'renderer');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

export function ensureRendererBuilt(): void {
  const index = path.join(RENDERER_OUT, 'index.html');
  const sources = [path.resolve('src-renderer'), path.resolve('src-shared')];
  const newestSource = Math.max(...sources.map(newestMtime));
  if (fs.existsSync(index) && fs.statSync(index).mtimeMs >= newestSource) return;
  const r = spawnSync('npx', ['vite', 'build', '--config', 'src-renderer/vite.config.ts', '--logLevel', 'warn'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`building the renderer failed (exit ${r.status ?? r.signal}); run "npm run build:web" to see why`);
}
