/**
 * Benchmark of the collectives (src-worker/dist) with K real processes on this machine.
 *
 *   npm run bench:collective                 # chosen implementation, then the alternatives
 *   npm run bench:collective -- --main       # only the chosen implementation
 *   npm run bench:collective -- --alternatives   # signalling and all-reduce algorithms
 *   npm run bench:collective -- --segments       # segment size of the reduce-scatter all-reduce
 *
 * Figures: median over the timed iterations (after warm-ups) of rank 0's time for one call, each call
 * started right after a barrier. algbw = bytes of the array / time. busbw as NCCL's tests define it:
 * all-reduce algbw * 2(K-1)/K; all-gather (bytes = gathered output) algbw * (K-1)/K.
 */
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { distEnv, makeDistDir, readDistEnv } from '../src-worker/dist/env';
import {
  createCommunicator, DEFAULT_DIRECT_ALLREDUCE_MAX_BYTES, DEFAULT_SEGMENT_BYTES, type CommunicatorOptions,
} from '../src-worker/dist/shm-communicator';

const SELF = fileURLToPath(import.meta.url);
const MB = 1024 * 1024;

type Tuning = Pick<CommunicatorOptions, 'allReduceAlgorithm' | 'segmentBytes' | 'directAllReduceMaxBytes'>;
interface Case { op: 'allReduceMean' | 'allReduceMeanInto' | 'allGather' | 'barrier'; bytes: number; warmup: number; iterations: number }
/**
 * Every rank joins one group per variant (each in its own sub-folder) and, for each case, runs the
 * variants in turn within each iteration, so that the load of other processes on this shared machine
 * falls on all variants alike.
 */
interface GroupJob { kind: 'group'; variants: Tuning[]; cases: Case[] }
type SignalMethod = 'fifo-blocking' | 'file-spin' | 'file-sleep-20us' | 'unix-socket-spin';
interface SignalJob { kind: 'signal'; method: SignalMethod; dir: string; role: 'a' | 'b'; iterations: number }
type Job = GroupJob | SignalJob;

// ---------------------------------------------------------------- child processes

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const gc = (globalThis as { gc?: () => void }).gc ?? ((): void => {});

function runGroup(job: GroupJob): void {
  const settings = readDistEnv();
  if (!settings) throw new Error('benchmark child started without CLIPWB_* variables');
  const comms = job.variants.map((tuning, v) => createCommunicator({
    ...settings, dir: path.join(settings.dir, `v${v}`), ...tuning, timeoutMs: 120_000,
  }));
  const rank = settings.rank;
  // results[case][variant] = times
  const results: number[][][] = [];
  for (const c of job.cases) {
    const n = Math.floor(c.bytes / 4);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = (i % 1000) * 0.001 + rank;
    const out = c.op === 'allReduceMeanInto' ? new Float32Array(n) : undefined;
    const times: number[][] = comms.map(() => []);
    for (let it = 0; it < c.warmup + c.iterations; it++) {
      comms.forEach((comm, v) => {
        gc();
        comm.barrier();
        const t0 = process.hrtime.bigint();
        if (c.op === 'allReduceMean') comm.allReduceMean(data);
        else if (out) comm.allReduceMeanInto(data, out);
        else if (c.op === 'allGather') comm.allGather(data);
        else comm.barrier();
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        if (it >= c.warmup) times[v]!.push(ms);
      });
    }
    results.push(times);
  }
  for (const comm of comms) {
    comm.barrier();
    comm.close();
  }
  if (rank === 0) process.stdout.write(`${JSON.stringify(results.map((perVariant) => perVariant.map(median)))}\n`);
}

const tick = new Int32Array(new SharedArrayBuffer(4));

/** Ping-pong of a 32-byte message; role a measures round trips. */
async function runSignal(job: SignalJob): Promise<void> {
  const me = job.role;
  const other = me === 'a' ? 'b' : 'a';
  const msg = new Int32Array(8);
  let send: (i: number) => void;
  let recv: (i: number) => void;
  if (job.method === 'fifo-blocking') {
    const inFd = fs.openSync(path.join(job.dir, `${me}.fifo`), fs.constants.O_RDWR);
    const outFd = fs.openSync(path.join(job.dir, `${other}.fifo`), fs.constants.O_RDWR);
    send = (i) => { msg[0] = i; fs.writeSync(outFd, msg); };
    recv = () => { fs.readSync(inFd, msg); };
  } else if (job.method === 'unix-socket-spin') {
    // Node drives sockets through libuv, which makes them non-blocking: a synchronous reader must spin.
    const sockPath = path.join(job.dir, 'ping.sock');
    const sock = await new Promise<net.Socket>((resolve) => {
      if (me === 'a') {
        const server = net.createServer((s) => resolve(s));
        server.listen(sockPath, () => fs.writeFileSync(path.join(job.dir, 'listening'), ''));
      } else {
        const tryConnect = (): void => {
          if (!fs.existsSync(path.join(job.dir, 'listening'))) { setTimeout(tryConnect, 5); return; }
          const s = net.connect(sockPath, () => resolve(s));
        };
        tryConnect();
      }
    });
    sock.pause();
    const fd = (sock as unknown as { _handle: { fd: number } })._handle.fd;
    const bytes = new Uint8Array(msg.buffer);
    send = (i) => { msg[0] = i; fs.writeSync(fd, bytes); };
    recv = () => {
      let got = 0;
      while (got < 32) {
        try { got += fs.readSync(fd, bytes, got, 32 - got, null); } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
        }
      }
    };
  } else {
    const sleepMs = job.method === 'file-sleep-20us' ? 0.02 : 0;
    const inFd = fs.openSync(path.join(job.dir, `${me}.flag`), 'r+');
    const outFd = fs.openSync(path.join(job.dir, `${other}.flag`), 'r+');
    const cell = new Int32Array(1);
    send = (i) => { msg[0] = i; fs.writeSync(outFd, msg, 0, 4, 0); };
    recv = (i) => {
      for (;;) {
        fs.readSync(inFd, cell, 0, 4, 0);
        if (cell[0] === i) return;
        if (sleepMs > 0) Atomics.wait(tick, 0, 0, sleepMs);
      }
    };
  }
  const times: number[] = [];
  for (let i = 1; i <= job.iterations; i++) {
    if (me === 'a') {
      const t0 = process.hrtime.bigint();
      send(i);
      recv(i);
      times.push(Number(process.hrtime.bigint() - t0) / 1000);
    } else {
      recv(i);
      send(i);
    }
  }
  if (me === 'a') process.stdout.write(`${JSON.stringify([median(times)])}\n`);
  process.exit(0);
}

// ---------------------------------------------------------------- parent

/** Starts one child per environment; resolves with what rank 0 (child 0) printed. */
function runChildren<T>(envs: Record<string, string>[], job: (i: number) => Job): Promise<T> {
  return new Promise((resolve, reject) => {
    let result: T | undefined;
    let pending = envs.length;
    // The bench runs from TypeScript through tsx; a bundled .js copy of it needs no loader.
    const loader = SELF.endsWith('.ts') ? ['--import', 'tsx'] : [];
    envs.forEach((env, i) => {
      const child = spawn(process.execPath, ['--expose-gc', ...loader, SELF, '--child', JSON.stringify(job(i))], {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      child.on('close', (code) => {
        if (code !== 0) reject(new Error(`benchmark child ${i} exited with code ${code}`));
        if (out.trim()) result = JSON.parse(out.trim()) as T;
        if (--pending === 0) {
          if (result !== undefined) resolve(result);
          else reject(new Error('no result printed'));
        }
      });
    });
  });
}

/** Median ms of rank 0, as [case][variant]. */
async function runGroupBench(k: number, variants: Tuning[], cases: Case[]): Promise<number[][]> {
  const dir = makeDistDir('clipwb-bench-');
  try {
    const envs = Array.from({ length: k }, (_, rank) => distEnv({ dir, rank, worldSize: k }));
    return await runChildren<number[][]>(envs, () => ({ kind: 'group', variants, cases }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function runSignalBench(method: SignalMethod, iterations: number): Promise<number> {
  const dir = makeDistDir('clipwb-bench-signal-');
  try {
    for (const r of ['a', 'b']) {
      execFileSync('mkfifo', [path.join(dir, `${r}.fifo`)]);
      fs.writeFileSync(path.join(dir, `${r}.flag`), Buffer.alloc(4));
    }
    const res = await runChildren<number[]>([{}, {}], (i) => ({ kind: 'signal', method, dir, role: i === 0 ? 'a' : 'b', iterations }));
    return res[0]!;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const fmtBytes = (b: number): string => (b >= MB ? `${+(b / MB).toFixed(1)} MB` : `${+(b / 1024).toFixed(1)} KB`);
const pad = (s: string | number, n: number): string => String(s).padStart(n);
const busFactor = (op: Case['op'], k: number): number => (op.startsWith('allReduce') ? (2 * (k - 1)) / k : (k - 1) / k);

function row(k: number, label: string, c: Case, ms: number): string {
  const bytes = c.op === 'allGather' ? c.bytes * k : c.bytes;
  const algbw = bytes / 1e9 / (ms / 1000);
  const bw = c.op === 'barrier' ? '' : `${pad(algbw.toFixed(2), 8)} ${pad((algbw * busFactor(c.op, k)).toFixed(2), 8)}`;
  const time = ms < 1 ? `${(ms * 1000).toFixed(0)} us` : `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
  return `  K=${k}  ${label.padEnd(44)} ${pad(time, 11)}  ${bw}`;
}

const HEADER = `  ${''.padEnd(4)}  ${'operation'.padEnd(44)} ${pad('median', 11)}  ${pad('algbw', 8)} ${pad('busbw', 8)}  (GB/s)`;

async function mainSection(): Promise<void> {
  console.log(`\nChosen implementation: auto = direct all-reduce up to ${fmtBytes(DEFAULT_DIRECT_ALLREDUCE_MAX_BYTES)}, ` +
    `reduce-scatter + all-gather in ${fmtBytes(DEFAULT_SEGMENT_BYTES)} segments above; FIFO signalling; buffers on /dev/shm`);
  console.log(HEADER);
  const feature = 320 * 512 * 4;
  const cases: Case[] = [
    { op: 'barrier', bytes: 0, warmup: 20, iterations: 200 },
    { op: 'allGather', bytes: feature, warmup: 5, iterations: 30 },
    { op: 'allReduceMean', bytes: 1 * MB, warmup: 3, iterations: 15 },
    { op: 'allReduceMean', bytes: 64 * MB, warmup: 1, iterations: 5 },
    { op: 'allReduceMean', bytes: 600 * MB, warmup: 1, iterations: 3 },
    { op: 'allReduceMeanInto', bytes: 64 * MB, warmup: 1, iterations: 5 },
    { op: 'allReduceMeanInto', bytes: 600 * MB, warmup: 1, iterations: 3 },
  ];
  for (const k of [2, 4]) {
    const ms = await runGroupBench(k, [{}], cases);
    cases.forEach((c, i) => {
      const label = c.op === 'barrier' ? 'barrier'
        : c.op === 'allGather' ? 'allGather [320, 512] f32 (640 KB)'
          : c.op === 'allReduceMean' ? `allReduceMean ${fmtBytes(c.bytes)} (fresh result)`
            : `allReduceMeanInto ${fmtBytes(c.bytes)} (reused result)`;
      console.log(row(k, label, c, ms[i]![0]!));
    });
  }
}

async function alternativesSection(): Promise<void> {
  console.log('\nAlternatives: signalling, ping-pong round trip of a 32-byte message between 2 processes (median)');
  for (const method of ['fifo-blocking', 'file-spin', 'file-sleep-20us', 'unix-socket-spin'] as const) {
    const us = await runSignalBench(method, method === 'file-sleep-20us' ? 2000 : 5000);
    console.log(`  ${method.padEnd(20)} ${pad(us.toFixed(1), 7)} us`);
  }
  console.log('\nAlternatives: all-reduce algorithms (run in turn within each iteration)');
  console.log(HEADER);
  const variants: { label: string; tuning: Tuning }[] = [
    { label: 'direct', tuning: { allReduceAlgorithm: 'direct' } },
    { label: 'ring, 8 MB segments', tuning: { allReduceAlgorithm: 'ring', segmentBytes: 8 * MB } },
    { label: 'reduce-scatter, 1 MB segments', tuning: { allReduceAlgorithm: 'reduce-scatter', segmentBytes: 1 * MB } },
    { label: 'reduce-scatter, 8 MB segments', tuning: { allReduceAlgorithm: 'reduce-scatter', segmentBytes: 8 * MB } },
    { label: 'reduce-scatter, 32 MB segments', tuning: { allReduceAlgorithm: 'reduce-scatter', segmentBytes: 32 * MB } },
    { label: 'reduce-scatter, unsegmented', tuning: { allReduceAlgorithm: 'reduce-scatter', segmentBytes: 1024 * MB } },
  ];
  const sizes = [16 * 1024, 256 * 1024, 1 * MB, 64 * MB];
  const cases = sizes.map((bytes): Case => ({
    op: 'allReduceMean', bytes, warmup: bytes >= 32 * MB ? 1 : 3, iterations: bytes >= 32 * MB ? 3 : 15,
  }));
  for (const k of [2, 4]) {
    const ms = await runGroupBench(k, variants.map((v) => v.tuning), cases);
    cases.forEach((c, i) => variants.forEach((v, j) => console.log(row(k, `${v.label}, ${fmtBytes(c.bytes)}`, c, ms[i]![j]!))));
  }
}

async function segmentSection(): Promise<void> {
  console.log('\nAlternatives: segment size of the reduce-scatter all-reduce (run in turn within each iteration)');
  console.log(HEADER);
  const segments = [2 * MB, 8 * MB, 32 * MB, 1024 * MB];
  const cases: Case[] = [64 * MB, 256 * MB].map((bytes) => ({ op: 'allReduceMean', bytes, warmup: 1, iterations: 3 }));
  for (const k of [2, 4]) {
    const ms = await runGroupBench(k, segments.map((segmentBytes) => ({ allReduceAlgorithm: 'reduce-scatter', segmentBytes })), cases);
    cases.forEach((c, i) => segments.forEach((seg, j) => {
      const label = `${fmtBytes(c.bytes)}, ${seg >= 1024 * MB ? 'unsegmented' : `${fmtBytes(seg)} segments`}`;
      console.log(row(k, label, c, ms[i]![j]!));
    }));
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    const job = JSON.parse(args[1]!) as Job;
    if (job.kind === 'group') runGroup(job);
    else await runSignal(job);
    return;
  }
  const t0 = Date.now();
  const load = (): string => os.loadavg().map((x) => x.toFixed(1)).join(' ');
  console.log(`Collective benchmark: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ` +
    `load average ${load()} (other processes make these figures noisy)`);
  console.log('median of rank 0 per call after warm-ups; algbw = bytes / time; busbw = NCCL bus bandwidth ' +
    '(all-reduce: algbw*2(K-1)/K; all-gather, bytes = gathered: algbw*(K-1)/K)');
  const only = ['--main', '--alternatives', '--segments'].filter((a) => args.includes(a));
  if (only.length === 0 || only.includes('--main')) await mainSection();
  if (only.length === 0 || only.includes('--alternatives')) await alternativesSection();
  if (only.length === 0 || only.includes('--segments')) await segmentSection();
  console.log(`\ntotal ${((Date.now() - t0) / 1000).toFixed(0)} s, load average now ${load()}`);
}

await main();
