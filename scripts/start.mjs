#!/usr/bin/env node
// `npm start`: the desktop app where Electron's binary is installed; otherwise says why and starts the
// web mode instead (the same app in a browser), printing its URL.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function electronBinary() {
  try {
    const bin = require('electron');
    return typeof bin === 'string' && existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit' }).status ?? 1;
const bin = electronBinary();
if (bin) {
  if (run(process.execPath, [require.resolve('electron-vite/bin/electron-vite.js'), 'build']) !== 0) process.exit(1);
  const child = spawn(bin, ['.'], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log('Electron\'s binary is not installed (npm could not download it, e.g. without internet access):');
  console.log('starting the web mode instead. Install it with `npm install electron` on a connected machine for the desktop app.\n');
  if (!existsSync(path.join(root, 'out', 'renderer', 'index.html')) && run(process.execPath, [require.resolve('vite/bin/vite.js'), 'build', '--config', 'src-renderer/vite.config.ts']) !== 0) process.exit(1);
  const child = spawn(process.execPath, [path.join(root, 'bin', 'clipwb.mjs'), 'serve', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
}
