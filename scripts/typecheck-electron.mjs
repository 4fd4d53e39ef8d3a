#!/usr/bin/env node
// Type-checks the Electron shell where the `electron` package (an optional dependency: its install
// downloads a binary) is installed, and says so where it is not, instead of failing `npm test`.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let types = null;
try { types = require.resolve('electron/electron.d.ts'); } catch { /* not installed */ }
if (!types || !existsSync(types)) {
  console.log('typecheck: skipping src-main/electron: the optional `electron` package is not installed (its download needs network access).');
  process.exit(0);
}
const r = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.electron.json', '--noEmit'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
