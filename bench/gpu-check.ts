/**
 * GPU check for the webgpu route, meant for a machine with an NVIDIA GPU (run by scripts/gpu-check.sh).
 * UNVERIFIED ON A GPU: written and type-checked on a machine without one, where it stops at step 1.
 *
 *   node bin/run-ts.mjs bench/gpu-check.ts [--matmul 4096] [--vit-batch 32] [--skip-vit]
 *
 * 1. Does Dawn find an adapter (which one, its limits)?
 * 2. The webgpu backend starts (initBackend('webgpu')).
 * 3. matMul GFLOP/s at n x n x n (float32), median of 5 timed runs after 2 warm-ups, each read back.
 * 4. One ViT-B/16 training step (forward, FastCLIP v3 loss, backward, AdamW) at the given batch: seconds
 *    for a warm-up step and a timed one, and tf.memory() after it.
 * Each result is printed as one JSON line prefixed "gpu-check:"; a failure prints its error and exits 1.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, formatBackendReport } from '../src-worker/backend/select';
import { probeWebgpu } from '../src-worker/backend/webgpu';
import { LocalCommunicator } from '../src-worker/dist/communicator';
import { ClipModel, loadModelConfig } from '../src-worker/model';
import { createObjective } from '../src-worker/loss';
import { AdamW, adamHyperparameters, buildParamGroups } from '../src-worker/optim';
import { trainStep } from '../src-worker/train/train-step';

const argv = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const i = argv.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(argv[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${argv[i + 1]}`);
  return n;
};
const report = (what: string, data: Record<string, unknown>): void => { console.log(`gpu-check: ${JSON.stringify({ what, ...data })}`); };
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

async function main(): Promise<void> {
  const probe = await probeWebgpu();
  report('dawn-adapter', probe.ok ? { ok: true, adapter: probe.adapter } : { ok: false, reason: probe.reason });
  if (!probe.ok) process.exit(1);

  const backend = await initBackend('webgpu');
  console.log(formatBackendReport(backend));

  const n = arg('--matmul', 4096);
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    const c = tf.matMul(a, b);
    await c.data();
    const ms = performance.now() - t0;
    c.dispose();
    if (i >= 2) times.push(ms);
  }
  const ms = median(times);
  report('matmul', { n, medianMs: ms, gflops: (2 * n ** 3) / (ms / 1000) / 1e9, note: 'includes the read-back of the result' });
  tf.dispose([a, b]);

  if (argv.includes('--skip-vit')) return;
  const batch = arg('--vit-batch', 32);
  const cfg = { ...loadModelConfig('ViT-B-16'), initLogitScale: Math.log(1 / 0.07) };
  const comm = new LocalCommunicator();
  const model = ClipModel.create(cfg, 0);
  const objective = createObjective({ fastclip: true, temperatureScheme: 'global_learnable', multiplyTau: true, rho: 6, gamma: 0.9, gammaSchedule: 'cosine', gammaDecayEpochs: 3, dataSize: 16 * batch }, comm);
  objective.startEpoch(0);
  const trainable = model.trainableVariables();
  const groups = buildParamGroups([...trainable].map(([name, variable]) => ({ name, variable })), { lr: 5e-4, lrTau: 5e-4, weightDecay: 0.1 });
  const optimizer = new AdamW(groups, adamHyperparameters({ beta1: 0.9, beta2: 0.98, eps: 1e-6 }));
  const theta = model.variables.get('logit_scale')!;
  const size = cfg.vision.imageSize;
  const ctx = cfg.text.contextLength;
  const images = Float32Array.from({ length: batch * size * size * 3 }, (_, i) => Math.sin(i) * 1.5);
  const tokens = new Int32Array(batch * ctx);
  for (let r = 0; r < batch; r++) {
    tokens[r * ctx] = cfg.text.vocabSize - 2;
    for (let t = 1; t < 10; t++) tokens[r * ctx + t] = 1 + ((r * 31 + t * 7) % (cfg.text.vocabSize - 3));
    tokens[r * ctx + 10] = cfg.text.vocabSize - 1;
  }
  const parts = { cfg, model, objective, optimizer, theta, trainable };
  const vars = [...trainable.values()];
  const stepSeconds: number[] = [];
  for (let i = 0; i < 2; i++) {
    const keys = Int32Array.from({ length: batch }, (_, r) => i * batch + r);
    const t0 = performance.now();
    const r = trainStep(parts, null, { size: batch, images, tokens, keys }, vars, comm, null);
    stepSeconds.push((performance.now() - t0) / 1000);
    report('vit-b16-step', { batch, step: i, seconds: stepSeconds[i], loss: r.loss, warmUp: i === 0 });
  }
  const mem = tf.memory() as tf.MemoryInfo & Record<string, unknown>;
  report('vit-b16-memory', { numTensors: mem.numTensors, numBytes: mem.numBytes, ...Object.fromEntries(Object.entries(mem).filter(([k]) => /gpu/i.test(k))) });
}

main().catch((err: unknown) => {
  report('error', { message: String((err as Error)?.message ?? err), stack: String((err as Error)?.stack ?? '').split('\n').slice(0, 6) });
  process.exit(1);
});
