/**
 * The model alone: forward, and forward + backward of CLIP with a symmetric InfoNCE (all parameters
 * trainable, no optimiser), on generated inputs. Prints median times, samples/s and the top kernels of
 * one forward + backward by tf.profile. (Moved from test/unit/model/bench-step.ts.)
 *
 *   node bin/run-ts.mjs bench/model.ts [config=clip-tiny-p7-28] [batch=128] [backend=wasm] [steps=5]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, parseBackendPreference } from '../src-worker/backend/select';
import { ClipModel, l2Normalize, loadModelConfig } from '../src-worker/model';
import { clipLoss } from '../src-worker/loss';
import { LocalCommunicator } from '../src-worker/dist/communicator';

const [configName = 'clip-tiny-p7-28', batchArg = '128', backendArg = 'wasm', stepsArg = '5'] = process.argv.slice(2);
const batch = Number(batchArg);
const steps = Number(stepsArg);
if (!Number.isInteger(batch) || batch < 2) throw new Error(`batch must be an integer >= 2, got ${batchArg}`);
if (!Number.isInteger(steps) || steps < 1) throw new Error(`steps must be an integer >= 1, got ${stepsArg}`);

const backend = await initBackend(parseBackendPreference(backendArg));
const cfg = loadModelConfig(configName);
const model = ClipModel.create(cfg, 0);
const size = cfg.vision.imageSize;
const ctx = cfg.text.contextLength;
let seed = 1;
const rand = (): number => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 2 ** 32; };
const images = tf.tensor4d(Float32Array.from({ length: batch * size * size * 3 }, () => (rand() - 0.5) * 3), [batch, size, size, 3]);
const tokenValues = new Int32Array(batch * ctx);
for (let b = 0; b < batch; b++) {
  const len = 3 + (b % (ctx - 4));
  tokenValues[b * ctx] = cfg.text.vocabSize - 2;
  for (let t = 1; t < len; t++) tokenValues[b * ctx + t] = 1 + ((b * 31 + t * 7) % (cfg.text.vocabSize - 3));
  tokenValues[b * ctx + len] = cfg.text.vocabSize - 1;
}
const tokens = tf.tensor2d(tokenValues, [batch, ctx], 'int32');
const comm = new LocalCommunicator();
const theta = model.variables.get('logit_scale')!;
const loss = (): tf.Scalar => clipLoss(l2Normalize(model.encodeImage(images)), l2Normalize(model.encodeText(tokens)), theta, comm);

function forward(): void {
  tf.tidy(() => { loss().dataSync(); });
}
function forwardBackward(): void {
  const { value, grads } = tf.variableGrads(loss);
  value.dataSync();
  tf.dispose([value, ...Object.values(grads)]);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
function time(label: string, f: () => void): void {
  f(); // warm-up: kernel set-up, first allocations
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    f();
    const c = process.cpuUsage(c0);
    wall.push(performance.now() - t0);
    cpu.push((c.user + c.system) / 1000);
  }
  const perSecond = (ms: number): string => (batch / (ms / 1000)).toFixed(1);
  console.log(`  ${label.padEnd(18)} wall ${median(wall).toFixed(0)} ms (${perSecond(median(wall))} samples/s; min ${Math.min(...wall).toFixed(0)}), ` +
    `cpu ${median(cpu).toFixed(0)} ms (${perSecond(median(cpu))} samples/s)`);
}

console.log(`${configName} batch ${batch} on ${backend.name}, median of ${steps}:`);
time('forward', forward);
time('forward+backward', forwardBackward);

const profile = await tf.profile(forwardBackward);
const byKernel = new Map<string, { ms: number; calls: number }>();
let total = 0;
for (const k of profile.kernels) {
  // A tf.customGrad forward shows up as an "unnamed scope" whose time includes the kernels inside it.
  if (k.name === 'unnamed scope') continue;
  const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
  const entry = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
  entry.ms += ms;
  entry.calls += 1;
  byKernel.set(k.name, entry);
  total += ms;
}
console.log(`  tf.profile of forward+backward: ${[...byKernel.values()].reduce((a, e) => a + e.calls, 0)} kernel calls, ${total.toFixed(0)} ms in kernels`);
for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12)) {
  console.log(`    ${name.padEnd(22)} ${e.ms.toFixed(1).padStart(8)} ms ${((100 * e.ms) / total).toFixed(1).padStart(5)}%  ${e.calls} calls`);
}
