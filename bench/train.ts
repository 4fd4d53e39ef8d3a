/**
 * Training throughput of the engine: full steps (forward, FastCLIP v3 loss, backward, AdamW, the
 * logit-scale clamp) through the trainer's own trainStep, on generated data already in memory, so the
 * figures measure the engine and not the image decoder.
 *
 *   npm run bench:train                        # (a), (b), (a) with --nproc 2, profiles
 *   npm run bench:train -- --steps 9 --warmup 2 --backend wasm --only a --no-profile --no-nproc
 *   npm run bench:train -- --peer torch        # interleaved with PyTorch (1 and 2 threads): ratios
 *   npm run bench:train -- --peer torch --rounds 5 --only a
 *
 *   (a) clip-tiny-p7-28 (28x28 images, width 64, 2 layers) at batch 128
 *   (b) clip-small-p4-32 (32x32 images, patch 4, width 128, 4 layers) at batch 64
 *   (a) again with 2 worker processes sharing the cores, batch 128 each, joined by the real collectives
 *       (the K = 2 samples/s counts both ranks' samples), against 1 process
 *   vitb16 (not in the default set; slow: minutes per step on one core): ViT-B/16 at batch 8 with
 *       activation checkpointing, as --preset fastclip-v3-seed runs it on wasm; prints peak RSS and heap
 *       npm run bench:train -- --only vitb16 --steps 2 --warmup 0 --no-profile --no-nproc
 *
 * Figures are medians over the timed steps (after warm-up); wall time and this process's CPU time
 * are both printed, because the machine may be shared. tf.profile then lists the kernels of one step.
 *
 * --peer torch runs bench/peer_torch.py (the same step in PyTorch, see bench/peer.ts for which Python) in
 * rounds interleaved with ours: each round times ours, then PyTorch on 1 thread, then on 2, and prints the
 * ratios of that round; the summary is the median of the per-round ratios. The (a) --nproc 2 figure is
 * compared with PyTorch on 2 threads the same way. Only ratios measured in one call mean anything on a
 * shared machine.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend, parseBackendPreference } from '../src-worker/backend/select';
import { distEnv, makeDistDir, communicatorFromEnv } from '../src-worker/dist/env';
import { LocalCommunicator, type Communicator } from '../src-worker/dist/communicator';
import { ClipModel, loadModelConfig, setActivationCheckpointing } from '../src-worker/model';
import { createObjective } from '../src-worker/loss';
import { AdamW, adamHyperparameters, buildParamGroups } from '../src-worker/optim';
import { trainStep, type StepBatch, type StepParts } from '../src-worker/train/train-step';
import { memoryReport } from '../src-worker/train/memory';
import { findTorchPython, runTorchPeer } from './peer';

const SELF = fileURLToPath(import.meta.url);
const REPO = path.resolve(path.dirname(SELF), '..');

interface Case { label: string; config: string; batch: number; recompute?: boolean }
type CaseKey = 'a' | 'b' | 'vitb16';
const CASES: Record<CaseKey, Case> = {
  a: { label: '(a)', config: 'clip-tiny-p7-28', batch: 128 },
  b: { label: '(b)', config: 'clip-small-p4-32', batch: 64 },
  vitb16: { label: '(vitb16)', config: 'ViT-B-16', batch: 8, recompute: true },
};

interface Options { steps: number; warmup: number; backend: string; only: CaseKey[]; profile: boolean; nproc: boolean; peer: 'torch' | null; rounds: number }

function parseOptions(argv: string[]): Options & { rankCase?: CaseKey } {
  const o: Options & { rankCase?: CaseKey } = { steps: 9, warmup: 2, backend: 'wasm', only: ['a', 'b'], profile: true, nproc: true, peer: null, rounds: 3 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--steps') o.steps = positiveInt(a, value());
    else if (a === '--warmup') o.warmup = positiveInt(a, value(), 0);
    else if (a === '--backend') o.backend = value();
    else if (a === '--only') o.only = value().split(',').map((c) => checkCase(c));
    else if (a === '--no-profile') o.profile = false;
    else if (a === '--no-nproc') o.nproc = false;
    else if (a === '--rank-case') o.rankCase = checkCase(value());
    else if (a === '--peer') {
      const v = value();
      if (v !== 'torch') throw new Error(`--peer: the only peer is torch, got ${v}`);
      o.peer = v;
    } else if (a === '--rounds') o.rounds = positiveInt(a, value());
    else throw new Error(`unknown option ${a}; see the header of bench/train.ts`);
  }
  return o;
}

function positiveInt(flag: string, raw: string, min = 1): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer >= ${min}, got ${raw}`);
  return n;
}

function checkCase(c: string): CaseKey {
  if (c !== 'a' && c !== 'b' && c !== 'vitb16') throw new Error(`case must be a, b or vitb16, got ${c}`);
  return c;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Model, FastCLIP v3 objective and AdamW as a run of the demo preset builds them. */
function buildParts(c: Case, comm: Communicator): { parts: StepParts; vars: tf.Variable[]; batches: StepBatch[]; dispose(): void } {
  const base = loadModelConfig(c.config);
  const cfg = { ...base, initLogitScale: Math.log(1 / 0.07) };
  const model = ClipModel.create(cfg, 0);
  const dataSize = 16 * c.batch * comm.worldSize;
  const objective = createObjective({
    fastclip: true, temperatureScheme: 'global_learnable', multiplyTau: true, rho: 6, gamma: 0.9, gammaSchedule: 'cosine', gammaDecayEpochs: 3, dataSize,
  }, comm);
  objective.startEpoch(0);
  const trainable = model.trainableVariables();
  const groups = buildParamGroups([...trainable].map(([name, variable]) => ({ name, variable })), { lr: 2e-3, lrTau: 2e-3, weightDecay: 0.1 });
  const optimizer = new AdamW(groups, adamHyperparameters({ beta1: 0.9, beta2: 0.98, eps: 1e-6 }));
  const theta = model.variables.get('logit_scale')!;
  // A few distinct batches (the u state sees new and revisited keys, as in training).
  const size = cfg.vision.imageSize;
  const ctx = cfg.text.contextLength;
  const batches: StepBatch[] = [];
  let seed = 12345 + comm.rank;
  const rand = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 2 ** 32; };
  for (let k = 0; k < 4; k++) {
    const images = new Float32Array(c.batch * size * size * 3);
    for (let i = 0; i < images.length; i++) images[i] = (rand() - 0.5) * 3;
    const tokens = new Int32Array(c.batch * ctx);
    for (let r = 0; r < c.batch; r++) {
      const len = 3 + Math.floor(rand() * (ctx - 4));
      tokens[r * ctx] = cfg.text.vocabSize - 2;
      for (let t = 1; t < len; t++) tokens[r * ctx + t] = 1 + Math.floor(rand() * (cfg.text.vocabSize - 3));
      tokens[r * ctx + len] = cfg.text.vocabSize - 1;
    }
    const keys = Int32Array.from({ length: c.batch }, (_, r) => (k * comm.worldSize + comm.rank) * c.batch + r);
    batches.push({ size: c.batch, images, tokens, keys });
  }
  return {
    parts: { cfg, model, objective, optimizer, theta, trainable },
    vars: [...trainable.values()],
    batches,
    dispose: () => { optimizer.dispose(); objective.dispose(); model.dispose(); },
  };
}

interface Timing { wallMs: number[]; cpuMs: number[] }

function timeSteps(c: Case, comm: Communicator, o: Pick<Options, 'steps' | 'warmup'>): Timing & { build: ReturnType<typeof buildParts> } {
  setActivationCheckpointing(c.recompute ?? false);
  const build = buildParts(c, comm);
  return { ...timeOn(build, comm, o), build };
}

function timeOn(build: ReturnType<typeof buildParts>, comm: Communicator, o: Pick<Options, 'steps' | 'warmup'>): Timing {
  const t: Timing = { wallMs: [], cpuMs: [] };
  for (let i = 0; i < o.warmup + o.steps; i++) {
    comm.barrier();
    const w0 = performance.now();
    const c0 = process.cpuUsage();
    trainStep(build.parts, null, build.batches[i % build.batches.length]!, build.vars, comm, null);
    const cpu = process.cpuUsage(c0);
    if (i >= o.warmup) {
      t.wallMs.push(performance.now() - w0);
      t.cpuMs.push((cpu.user + cpu.system) / 1000);
    }
  }
  return t;
}

async function profileStep(build: ReturnType<typeof buildParts>): Promise<string[]> {
  const profile = await tf.profile(() => { trainStep(build.parts, null, build.batches[0]!, build.vars, new LocalCommunicator(), null); });
  const byKernel = new Map<string, { ms: number; calls: number }>();
  let total = 0;
  for (const k of profile.kernels) {
    // A tf.customGrad forward appears as an "unnamed scope" that also contains the kernels listed on their own.
    if (k.name === 'unnamed scope') continue;
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += ms;
    e.calls += 1;
    byKernel.set(k.name, e);
    total += ms;
  }
  const calls = [...byKernel.values()].reduce((a, e) => a + e.calls, 0);
  const lines = [`  tf.profile of one step: ${calls} kernel calls, ${total.toFixed(0)} ms in kernels (wall per kernel, profiling adds overhead)`];
  for (const [name, e] of [...byKernel].sort((x, y) => y[1].ms - x[1].ms).slice(0, 12)) {
    lines.push(`    ${name.padEnd(24)} ${e.ms.toFixed(1).padStart(8)} ms ${((100 * e.ms) / total).toFixed(1).padStart(5)}%  ${String(e.calls).padStart(4)} calls`);
  }
  return lines;
}

function describe(c: Case, k: number, t: Timing): { line: string; samplesPerSecond: number } {
  const global = c.batch * k;
  const sps = global / (median(t.wallMs) / 1000);
  const cpuSps = global / (median(t.cpuMs) / 1000);
  return {
    samplesPerSecond: sps,
    line: `${c.label} ${c.config} batch ${c.batch}${k > 1 ? ` x ${k} processes` : ''}: median step ${median(t.wallMs).toFixed(0)} ms wall ` +
      `(min ${Math.min(...t.wallMs).toFixed(0)}, max ${Math.max(...t.wallMs).toFixed(0)}) = ${sps.toFixed(1)} samples/s; ` +
      `cpu ${median(t.cpuMs).toFixed(0)} ms/step (rank 0) = ${cpuSps.toFixed(1)} samples/s per process`,
  };
}

/** One rank of the --nproc 2 measurement: prints its timings as one JSON line. */
async function rankMain(o: Options & { rankCase: CaseKey }): Promise<void> {
  await initBackend(parseBackendPreference(o.backend));
  const comm = communicatorFromEnv();
  comm.setTimeoutMs(120_000);
  try {
    const t = timeSteps(CASES[o.rankCase], comm, o);
    t.build.dispose();
    process.stdout.write(`${JSON.stringify({ rank: comm.rank, wallMs: t.wallMs, cpuMs: t.cpuMs })}\n`);
  } finally {
    comm.close();
  }
}

async function runRanks(caseKey: CaseKey, k: number, o: Options): Promise<Timing> {
  const dir = makeDistDir('clipwb-bench-train-');
  const args = [path.join(REPO, 'bin/run-ts.mjs'), SELF, '--rank-case', caseKey, '--steps', String(o.steps), '--warmup', String(o.warmup), '--backend', o.backend];
  const results = await Promise.all(Array.from({ length: k }, (_, rank) => new Promise<Timing>((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...distEnv({ dir, rank, worldSize: k }) }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('close', (code) => {
      if (code !== 0) { reject(new Error(`rank ${rank} exited with code ${code}`)); return; }
      resolve(JSON.parse(out.trim().split('\n').at(-1)!) as Timing);
    });
  }))).finally(() => fs.rmSync(dir, { recursive: true, force: true }));
  return results[0]!;
}

/** Our step against PyTorch's, interleaved round by round; prints per-round figures and the median ratios. */
async function peerMain(o: Options): Promise<void> {
  const found = findTorchPython();
  if ('error' in found) {
    console.error(`--peer torch: ${found.error}`);
    process.exitCode = 2;
    return;
  }
  const backend = await initBackend(parseBackendPreference(o.backend));
  console.log(`bench:train --peer torch: ours on ${backend.name} (${backend.provider}) against PyTorch ${found.version} (${found.python}, ` +
    `libblas.so.3 -> ${found.blas}, OPENBLAS_NUM_THREADS=1); ${o.rounds} interleaved rounds of ${o.warmup} warm-up + ${o.steps} timed steps; ` +
    'samples/s from the median step of each run; ratio = ours / PyTorch within a round, summary = median over rounds.');
  console.log(`  ours: ${backend.attempts.at(-1)?.reason ?? ''}`);
  if (!/openblas/i.test(found.blas)) console.log(`  warning: libblas.so.3 is ${found.blas}, not OpenBLAS: PyTorch runs on a slow BLAS and the ratio flatters us.`);
  const sps = (batch: number, wallMs: number[]): number => batch / (median(wallMs) / 1000);
  const summary: string[] = [];
  for (const key of o.only) {
    const c = CASES[key];
    const configPath = path.join(REPO, 'resources/model_configs', `${c.config}.json`);
    const build = buildParts(c, new LocalCommunicator());
    const r1: number[] = [];
    const r2: number[] = [];
    const rCpu: number[] = [];
    for (let round = 1; round <= o.rounds; round++) {
      const t0 = timeOn(build, new LocalCommunicator(), o);
      const ours = sps(c.batch, t0.wallMs);
      const t1 = await runTorchPeer(found.python, configPath, c.batch, 1, o.steps, o.warmup);
      const t2 = await runTorchPeer(found.python, configPath, c.batch, 2, o.steps, o.warmup);
      const p1 = sps(c.batch, t1.wallMs);
      const p2 = sps(c.batch, t2.wallMs);
      // Both single-threaded: samples per CPU-second, less sensitive to other load on a shared machine.
      const cpuRatio = median(t1.cpuMs) / median(t0.cpuMs);
      r1.push(ours / p1);
      r2.push(ours / p2);
      rCpu.push(cpuRatio);
      console.log(`${c.label} ${c.config} batch ${c.batch}, round ${round}: ours ${ours.toFixed(1)} samples/s, PyTorch 1 thread ${p1.toFixed(1)}, ` +
        `2 threads ${p2.toFixed(1)}; ratio ${(ours / p1).toFixed(2)}x / ${(ours / p2).toFixed(2)}x; per CPU-second vs 1 thread ${cpuRatio.toFixed(2)}x ` +
        `(cpu ms/step ours ${median(t0.cpuMs).toFixed(0)}, PyTorch ${median(t1.cpuMs).toFixed(0)})`);
    }
    summary.push(`${c.label} ${c.config} batch ${c.batch}, 1 process: ${median(r1).toFixed(2)}x PyTorch 1 thread (rounds ${r1.map((r) => r.toFixed(2)).join(', ')}), ` +
      `${median(rCpu).toFixed(2)}x per CPU-second (rounds ${rCpu.map((r) => r.toFixed(2)).join(', ')}), ${median(r2).toFixed(2)}x PyTorch 2 threads`);
    build.dispose();
  }
  if (o.nproc && o.only.includes('a')) {
    const c = CASES.a;
    const configPath = path.join(REPO, 'resources/model_configs', `${c.config}.json`);
    const ratios: number[] = [];
    for (let round = 1; round <= o.rounds; round++) {
      const two = sps(2 * c.batch, (await runRanks('a', 2, o)).wallMs);
      // PyTorch on 2 threads at the same global batch (2 x 128) as our 2 processes.
      const p2 = sps(2 * c.batch, (await runTorchPeer(found.python, configPath, 2 * c.batch, 2, o.steps, o.warmup)).wallMs);
      ratios.push(two / p2);
      console.log(`${c.label} --nproc 2 (global batch ${2 * c.batch}), round ${round}: ours ${two.toFixed(1)} samples/s, PyTorch 2 threads at batch ${2 * c.batch} ` +
        `${p2.toFixed(1)}; ratio ${(two / p2).toFixed(2)}x`);
    }
    summary.push(`${c.label} --nproc 2: ${median(ratios).toFixed(2)}x PyTorch 2 threads (rounds ${ratios.map((r) => r.toFixed(2)).join(', ')})`);
  }
  console.log('summary (ours / PyTorch, median of the per-round ratios):');
  for (const line of summary) console.log(`  ${line}`);
}

const o = parseOptions(process.argv.slice(2));
if (o.peer && !o.rankCase) {
  await peerMain(o);
} else if (o.rankCase) {
  await rankMain({ ...o, rankCase: o.rankCase });
} else {
  const backend = await initBackend(parseBackendPreference(o.backend));
  console.log(`bench:train on ${backend.name} (${backend.provider}), ${o.warmup} warm-up + ${o.steps} timed steps; ` +
    'full steps: forward, FastCLIP v3 loss, backward, AdamW (generated data in memory). The machine may be shared: medians.');
  const single = new Map<CaseKey, number>();
  for (const key of o.only) {
    const c = CASES[key];
    const t = timeSteps(c, new LocalCommunicator(), o);
    const d = describe(c, 1, t);
    single.set(key, d.samplesPerSecond);
    console.log(d.line);
    if (c.recompute) console.log(`  activation checkpointing on; ${memoryReport()}`);
    if (o.profile) for (const line of await profileStep(t.build)) console.log(line);
    t.build.dispose();
  }
  if (o.nproc && o.only.includes('a')) {
    const c = CASES.a;
    const one = describe(c, 1, await runRanks('a', 1, o));
    const two = describe(c, 2, await runRanks('a', 2, o));
    console.log(`--nproc 1 (its own process): ${one.line}`);
    console.log(`--nproc 2: ${two.line}`);
    console.log(`--nproc 2 / --nproc 1 samples/s: ${(two.samplesPerSecond / one.samplesPerSecond).toFixed(2)}` +
      (single.has('a') ? ` (against the in-process figure above: ${(two.samplesPerSecond / single.get('a')!).toFixed(2)})` : ''));
  }
}
