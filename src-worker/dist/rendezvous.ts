/**
 * How K ranks find each other in a folder the launcher gives them. Each rank creates its own FIFO and
 * buffer files, then publishes `rank-<r>.json` (pid, run id, world size) by an atomic rename, and waits
 * until every other rank's file is there and names a live process. Rank files left by an earlier launch
 * in the same folder are recognised (other run id, or a pid that no longer runs) and not mistaken for a
 * peer.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { CollectiveError } from './errors';
import { isProcessAlive } from './liveness';
import { sleepSync } from './sleep-sync';

const FORMAT = 'clipwb-dist/1';

export interface RankPaths {
  info: string;
  fifo: string;
  /** Two buffer files, used alternately by consecutive collectives (see transport.ts). */
  buffers: readonly [string, string];
}

export function rankPaths(dir: string, rank: number): RankPaths {
  const base = path.join(dir, `rank-${rank}`);
  return { info: `${base}.json`, fifo: `${base}.fifo`, buffers: [`${base}.buf0`, `${base}.buf1`] };
}

export interface RankInfo {
  format: typeof FORMAT;
  runId: string | null;
  rank: number;
  worldSize: number;
  pid: number;
}

/** Creates this rank's FIFO (replacing a stale one) and empty buffer files. */
export function createOwnFiles(paths: RankPaths): void {
  for (const p of [paths.info, paths.fifo]) fs.rmSync(p, { force: true });
  try {
    execFileSync('mkfifo', ['-m', '600', paths.fifo], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const detail = (err as { stderr?: Buffer }).stderr?.toString().trim() || String(err);
    throw new CollectiveError('join', [], `cannot create the FIFO ${paths.fifo} with mkfifo: ${detail}. ` +
      'The distribution folder must be on a local file system that supports named pipes (e.g. /dev/shm).');
  }
  for (const b of paths.buffers) fs.closeSync(fs.openSync(b, 'w', 0o600));
}

export function removeOwnFiles(paths: RankPaths): void {
  for (const p of [paths.info, paths.fifo, ...paths.buffers]) fs.rmSync(p, { force: true });
}

export function publishRank(paths: RankPaths, info: RankInfo): void {
  const tmp = `${paths.info}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(info), { mode: 0o600 });
  fs.renameSync(tmp, paths.info);
}

function parseRankInfo(text: string): RankInfo | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return 'is not valid JSON';
  }
  const o = v as Partial<Record<keyof RankInfo, unknown>>;
  if (typeof v !== 'object' || v === null || o.format !== FORMAT) return `is not a ${FORMAT} rank file`;
  const isInt = (x: unknown): x is number => Number.isInteger(x);
  if (!isInt(o.rank) || !isInt(o.worldSize) || !isInt(o.pid) || !(o.runId === null || typeof o.runId === 'string')) {
    return 'has missing or malformed fields (rank, worldSize, pid, runId)';
  }
  return { format: FORMAT, runId: o.runId, rank: o.rank, worldSize: o.worldSize, pid: o.pid };
}

export interface AwaitPeersOptions {
  dir: string;
  rank: number;
  worldSize: number;
  runId: string | null;
  timeoutMs: number;
}

/** Process ids of all ranks, indexed by rank, once every rank has published a live rank file. */
export function awaitPeers(o: AwaitPeersOptions): number[] {
  const deadline = Date.now() + o.timeoutMs;
  const pids: number[] = new Array<number>(o.worldSize).fill(process.pid);
  // A rank once seen alive counts as joined even if its file goes away (it may give up and clean up
  // before this rank does); whether it is still there is checked by the first exchange that follows.
  const seen = new Set<number>();
  let pollMs = 1;
  for (;;) {
    const waitingFor = new Map<number, string>();
    for (let r = 0; r < o.worldSize; r++) {
      if (r === o.rank || seen.has(r)) continue;
      const file = rankPaths(o.dir, r).info;
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch {
        waitingFor.set(r, 'no rank file yet');
        continue;
      }
      const info = parseRankInfo(text);
      if (typeof info === 'string') {
        waitingFor.set(r, `${file} ${info}`);
        continue;
      }
      if (o.runId !== null && info.runId !== o.runId) {
        waitingFor.set(r, `only a rank file of another run (${info.runId ?? 'no run id'}) is there`);
        continue;
      }
      if (info.worldSize !== o.worldSize || info.rank !== r) {
        throw new CollectiveError('join', [r], `rank ${o.rank}: ${file} says rank ${info.rank} of world size ` +
          `${info.worldSize}, but this rank was started with world size ${o.worldSize}. Start every rank with ` +
          'the same CLIPWB_WORLD_SIZE and a fresh CLIPWB_DIST_DIR.');
      }
      if (!isProcessAlive(info.pid)) {
        if (o.runId !== null) {
          // Same run id: this launch's own rank r started and died before the group formed.
          throw new CollectiveError('peer-died', [r], `rank ${o.rank}: rank ${r} (pid ${info.pid}) exited ` +
            `before all ${o.worldSize} ranks joined in ${o.dir}. See that rank's log for the cause.`);
        }
        waitingFor.set(r, `its rank file names pid ${info.pid}, which is not running (left from an earlier launch?)`);
        continue;
      }
      pids[r] = info.pid;
      seen.add(r);
    }
    if (waitingFor.size === 0) return pids;
    if (Date.now() >= deadline) {
      const missing = [...waitingFor.keys()];
      const why = [...waitingFor].map(([r, reason]) => `rank ${r}: ${reason}`).join('; ');
      throw new CollectiveError('join', missing, `rank ${o.rank}: rank${missing.length > 1 ? 's' : ''} ` +
        `${missing.join(', ')} did not join within ${o.timeoutMs} ms in ${o.dir} (${why}). ` +
        `Start all ${o.worldSize} ranks with the same CLIPWB_DIST_DIR, or raise the timeout if a rank starts slowly.`);
    }
    sleepSync(Math.min(pollMs, Math.max(1, deadline - Date.now())));
    pollMs = Math.min(50, pollMs * 2);
  }
}
