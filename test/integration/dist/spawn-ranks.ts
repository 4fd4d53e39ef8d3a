/** Starts K real rank processes (TypeScript through tsx) in a fresh folder on /dev/shm and collects their reports. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { distEnv, makeDistDir } from '../../../src-worker/dist/env';
import type { ScenarioArgs } from './rank-main';

const RANK_MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'rank-main.ts');

export interface RankReport {
  rank: number;
  ok: boolean;
  ready?: boolean;
  results?: Record<string, string>;
  error?: { failure: string; ranks: number[]; message: string } | null;
  after?: { failure: string; ranks: number[]; message: string } | null;
  wrong?: number;
  left?: string[];
}

export interface GroupRun {
  dir: string;
  children: ChildProcess[];
  /** Final report of each started rank (the last JSON line it printed), with its exit code and signal. */
  done: Promise<{ report: RankReport | undefined; code: number | null; signal: NodeJS.Signals | null; stderr: string }[]>;
}

export function startRanks(worldSize: number, args: ScenarioArgs, opts: {
  ranks?: number[];
  onReport?: (r: RankReport, child: ChildProcess) => void;
  runId?: string;
  /** Runs on the fresh folder before any rank starts. */
  prepare?: (dir: string) => void;
  /** An existing folder, to add ranks to a group already started. */
  dir?: string;
} = {}): GroupRun {
  const dir = opts.dir ?? makeDistDir('clipwb-dist-test-');
  opts.prepare?.(dir);
  const ranks = opts.ranks ?? Array.from({ length: worldSize }, (_, r) => r);
  const children = ranks.map((rank) => spawn(process.execPath, ['--import', 'tsx', RANK_MAIN, JSON.stringify(args)], {
    env: { ...process.env, ...distEnv({ dir, rank, worldSize, ...(opts.runId ? { runId: opts.runId } : {}) }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  }));
  const done = Promise.all(children.map((child) => new Promise<{ report: RankReport | undefined; code: number | null;
    signal: NodeJS.Signals | null; stderr: string; }>((resolve) => {
    let out = '';
    let err = '';
    let last: RankReport | undefined;
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      let nl: number;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        const r = JSON.parse(line) as RankReport;
        opts.onReport?.(r, child);
        if (!r.ready) last = r;
      }
    });
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('close', (code, signal) => resolve({ report: last, code, signal, stderr: err }));
  })));
  return { dir, children, done };
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
