/**
 * Starts the worker processes of one job (one per GPU, or K sharing the CPU) and relays what they say.
 *
 * Every message is validated; stderr is kept (the last lines) to explain a crash. The launcher knows
 * nothing of the store: the run service decides what a message or an exit means.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { parseMessage, WorkerToMain, type Job, type MainToWorker } from '../../src-worker/protocol';
import { distEnv, makeDistDir } from '../../src-worker/dist/env';
import { buildWorkerEnv, type WorkerDevice } from '../gpu/worker-env';
import { resolveWorkerEntry } from './worker-entry';

export interface LaunchSpec {
  job: Job;
  /** One entry per rank. */
  devices: WorkerDevice[];
  cudaCacheDir: string;
  /** Rendezvous folder for K > 1 (made and removed by the launcher). */
  distDir?: string;
  /** Extra environment (tests use it). */
  env?: Record<string, string>;
}

export interface WorkerExit {
  rank: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stderrTail: string[];
}

export interface LaunchHandlers {
  onMessage(rank: number, msg: WorkerToMain): void;
  /** A message that failed validation (a bug or version mismatch): reported, the worker is stopped. */
  onProtocolError(rank: number, err: Error): void;
  onExit(exit: WorkerExit): void;
}

const STDERR_LINES = 40;
/** A worker printing a megabyte without a newline must not grow the tail without bound. */
const MAX_LINE = 4000;

export class WorkerGroup {
  readonly workers: { rank: number; child: ChildProcess; stderr: string[]; exited: boolean }[] = [];
  private readonly distDir: string | null;

  constructor(spec: LaunchSpec, private readonly handlers: LaunchHandlers) {
    const entry = resolveWorkerEntry();
    const k = spec.devices.length;
    this.distDir = k > 1 ? (spec.distDir ?? makeDistDir()) : null;
    if (this.distDir) fs.mkdirSync(this.distDir, { recursive: true });
    const launchId = `${process.pid}-${Date.now()}`;
    spec.devices.forEach((device, rank) => {
      const env = {
        ...buildWorkerEnv(process.env, { device, cudaCacheDir: spec.cudaCacheDir }),
        ...entry.env,
        ...(this.distDir ? distEnv({ dir: this.distDir, rank, worldSize: k, runId: launchId }) : {}),
        ...spec.env,
      };
      // Detached: a worker gets its own process group, so Ctrl-C in the terminal reaches only clipwb,
      // which pauses the run (checkpoint) instead of the workers dying of SIGINT mid-step.
      const child = fork(entry.file, [], { execArgv: entry.execArgv, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], detached: true });
      const w = { rank, child, stderr: [] as string[], exited: false };
      this.workers.push(w);
      // stdout and stderr each have their own unfinished last line.
      const partial = { out: '', err: '' };
      const keep = (which: 'out' | 'err') => (chunk: Buffer) => {
        const lines = (partial[which] + chunk.toString('utf8')).split('\n');
        partial[which] = (lines.pop() ?? '').slice(-MAX_LINE);
        for (const line of lines) if (line.trim()) w.stderr.push(line.slice(0, MAX_LINE));
        if (w.stderr.length > STDERR_LINES) w.stderr.splice(0, w.stderr.length - STDERR_LINES);
      };
      child.stderr?.on('data', keep('err'));
      child.stdout?.on('data', keep('out'));
      child.on('message', (raw) => {
        let msg: WorkerToMain;
        try {
          msg = parseMessage(WorkerToMain, raw, `worker ${rank} → main`);
        } catch (err) {
          handlers.onProtocolError(rank, err as Error);
          return;
        }
        handlers.onMessage(rank, msg);
      });
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        if (w.exited) return;
        w.exited = true;
        for (const rest of [partial.out, partial.err]) if (rest.trim()) w.stderr.push(rest);
        if (this.workers.every((x) => x.exited)) this.cleanup();
        handlers.onExit({ rank, code, signal, stderrTail: [...w.stderr] });
      };
      // 'close', not 'exit': it comes once stdout and stderr are drained, so the last lines of a crash
      // (a stack trace) are in the tail.
      child.on('close', finish);
      child.on('error', (err) => {
        w.stderr.push(`spawn error: ${err.message}`);
        // A process that never started emits no 'close'.
        if (child.pid === undefined) finish(null, null);
      });
      child.send({ type: 'start', job: spec.job } satisfies MainToWorker);
    });
  }

  get pids(): number[] {
    return this.workers.map((w) => w.child.pid).filter((p): p is number => typeof p === 'number');
  }

  get alive(): boolean {
    return this.workers.some((w) => !w.exited);
  }

  send(msg: MainToWorker): void {
    for (const w of this.workers) if (!w.exited && w.child.connected) w.child.send(msg);
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    for (const w of this.workers) if (!w.exited) w.child.kill(signal);
  }

  stderrOf(rank: number): string[] {
    return [...(this.workers[rank]?.stderr ?? [])];
  }

  private cleanup(): void {
    if (this.distDir) fs.rmSync(this.distDir, { recursive: true, force: true });
  }
}
