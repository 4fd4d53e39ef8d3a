#!/usr/bin/env node
// Builds the optional native BLAS addon (clipwb_blas.node) against Debian's OpenBLAS.
// Never fails the install: where it cannot build it prints why and exits 0, and the wasm backend keeps
// its own matMul. Needs: a C compiler (build-essential), libopenblas-dev (pkg-config openblas), Node's
// headers (Debian's /usr/include/node, or node-gyp's cache). The addon uses only N-API, so the same
// binary loads in Electron without a rebuild.
//   node native/blas/build.mjs            build, or explain why not
//   node native/blas/build.mjs --strict   exit 1 when it cannot build (CI, checks)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const strict = process.argv.includes('--strict');

function skip(reason) {
  console.log(`native BLAS addon not built: ${reason}. Training falls back to the wasm matMul (slower).`);
  process.exit(strict ? 1 : 0);
}

if (process.env.CLIPWB_SKIP_NATIVE === '1') skip('CLIPWB_SKIP_NATIVE=1');
if (process.platform !== 'linux') skip(`only built on Linux (this is ${process.platform})`);
const pc = spawnSync('pkg-config', ['--exists', 'openblas']);
if (pc.error || pc.status !== 0) skip('pkg-config finds no openblas (apt-get install libopenblas-dev pkg-config)');

let gyp = process.env.npm_config_node_gyp;
if (!gyp || !fs.existsSync(gyp)) {
  try {
    gyp = createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    skip('node-gyp is not available (run through npm, or npm install node-gyp)');
  }
}
const args = [gyp, 'rebuild'];
// Debian's nodejs ships its headers; using them keeps the build offline.
const prefix = path.resolve(path.dirname(process.execPath), '..');
if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
const r = spawnSync(process.execPath, args, { cwd: here, encoding: 'utf8' });
if (r.status !== 0) {
  const tail = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-6).join('\n  ');
  skip(`node-gyp failed:\n  ${tail}\n`);
}
const built = path.join(here, 'build', 'Release', 'clipwb_blas.node');
const check = spawnSync(process.execPath, ['-e', `const b=require(${JSON.stringify(built)}); console.log(b.config())`], { encoding: 'utf8' });
if (check.status !== 0) skip(`built but does not load: ${(check.stderr ?? '').trim().split('\n')[0]}`);
console.log(`native BLAS addon built: ${built} (${check.stdout.trim()})`);
