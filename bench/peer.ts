/**
 * The PyTorch peer of bench:train: finds a Python that imports torch and runs bench/peer_torch.py for one
 * config, batch and thread count, returning the per-step timings it prints.
 *
 * Python: $CLIPWB_PEER_PYTHON when set; else Debian's /usr/bin/python3 (where `apt-get install python3-torch`
 * puts torch; a pyenv `python3` earlier on PATH would not see it); else `python3` on PATH.
 * OPENBLAS_NUM_THREADS is pinned to 1 for every run: PyTorch's own threads (torch.set_num_threads) do the
 * parallel work, and OpenBLAS threads on top of them make a step many times slower.
 */
import { spawnSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SCRIPT = path.join(HERE, 'peer_torch.py');

export interface PeerTiming { wallMs: number[]; cpuMs: number[]; torch: string; threads: number; blas: string }

export interface TorchPython { python: string; version: string; blas: string }

/** The first candidate Python that imports torch, or the reasons none did. */
export function findTorchPython(env: NodeJS.ProcessEnv = process.env): TorchPython | { error: string } {
  const candidates = env.CLIPWB_PEER_PYTHON ? [env.CLIPWB_PEER_PYTHON] : ['/usr/bin/python3', 'python3'];
  const reasons: string[] = [];
  for (const python of candidates) {
    if (path.isAbsolute(python) && !fs.existsSync(python)) { reasons.push(`${python}: not found`); continue; }
    const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], {
      encoding: 'utf8', env: { ...env, OPENBLAS_NUM_THREADS: '1' }, timeout: 120_000,
    });
    if (r.status === 0) return { python, version: r.stdout.trim(), blas: blasTarget() };
    const why = r.error ? r.error.message : (r.stderr.trim().split('\n').at(-1) ?? `exit ${r.status}`);
    reasons.push(`${python}: ${why}`);
  }
  return {
    error: `no Python that imports torch (${reasons.join('; ')}). On Debian: apt-get install python3-torch libopenblas0-pthread; ` +
      'or set CLIPWB_PEER_PYTHON to a python with torch',
  };
}

/** Where libblas.so.3 points (Debian's python3-torch uses it; the reference BLAS is about 10x slower). */
export function blasTarget(): string {
  try {
    return fs.realpathSync('/usr/lib/x86_64-linux-gnu/libblas.so.3');
  } catch {
    return 'unknown';
  }
}

export function runTorchPeer(python: string, configPath: string, batch: number, threads: number, steps: number, warmup: number): Promise<PeerTiming> {
  const args = [SCRIPT, '--config', configPath, '--batch', String(batch), '--threads', String(threads), '--steps', String(steps), '--warmup', String(warmup)];
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, { env: { ...process.env, OPENBLAS_NUM_THREADS: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) { reject(new Error(`PyTorch peer exited with code ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`)); return; }
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1)!) as PeerTiming);
      } catch {
        reject(new Error(`PyTorch peer printed no result: ${out.slice(-300)}`));
      }
    });
  });
}
