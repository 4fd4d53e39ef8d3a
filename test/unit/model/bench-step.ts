/**
 * Benchmark (not a test): one forward + backward of CLIP with a symmetric InfoNCE, all parameters
 * trainable, no optimiser. Prints the median step time, samples/s and the top kernels by time from
 * tf.profile.
 *
 *   node bin/run-ts.mjs test/unit/model/bench-step.ts [config=clip-tiny-p7-28] [batch=128] [backend=wasm] [steps=5]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../../../src-worker/backend/select';
import { ClipModel } from '../../../src-worker/model/clip';
import { loadModelConfig } from '../../../src-worker/model/config';
import { symmetricInfoNce } from './contrastive';
import { seededValues } from './fixtures';

const [configName = 'clip-tiny-p7-28', batchArg = '128', backend = 'wasm', stepsArg = '5'] = process.argv.slice(2);
const batch = Number(batchArg);
const steps = Number(stepsArg);

await initBackend(backend as BackendName);
const cfg = loadModelConfig(configName);
const model = ClipModel.create(cfg, 0);
const size = cfg.vision.imageSize;
const ctx = cfg.text.contextLength;
const images = tf.tensor4d(seededValues(batch * size * size * 3, 1), [batch, size, size, 3]);
const tokenValues = new Int32Array(batch * ctx);
for (let b = 0; b < batch; b++) {
  const len = 3 + (b % (ctx - 4));
  tokenValues[b * ctx] = cfg.text.vocabSize - 2;
  for (let t = 1; t < len; t++) tokenValues[b * ctx + t] = 1 + ((b * 31 + t * 7) % (cfg.text.vocabSize - 3));
  tokenValues[b * ctx + len] = cfg.text.vocabSize - 1;
}
const tokens = tf.tensor2d(tokenValues, [batch, ctx], 'int32');

function step(): void {
  const { value, grads } = tf.variableGrads(() => symmetricInfoNce(model.forward(images, tokens)));
  value.dataSync();
  tf.dispose([value, ...Object.values(grads)]);
}

step(); // warm-up: kernel setup, first allocations
// Wall time and this process's CPU time: wasm runs on one thread, so on a machine shared with other
// jobs the CPU time is the steadier figure.
const wall: number[] = [];
const cpu: number[] = [];
for (let i = 0; i < steps; i++) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  step();
  const c = process.cpuUsage(c0);
  wall.push(performance.now() - t0);
  cpu.push((c.user + c.system) / 1000);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const perSecond = (ms: number) => (batch / (ms / 1000)).toFixed(1);
console.log(`${configName} batch ${batch} on ${backend}, forward+backward, median of ${steps} steps: ` +
  `wall ${median(wall).toFixed(0)} ms (${perSecond(median(wall))} samples/s; min ${Math.min(...wall).toFixed(0)}), ` +
  `cpu ${median(cpu).toFixed(0)} ms (${perSecond(median(cpu))} samples/s; min ${Math.min(...cpu).toFixed(0)})`);

const profile = await tf.profile(() => { step(); });
const byKernel = new Map<string, { ms: number; calls: number }>();
let total = 0;
for (const k of profile.kernels) {
  // A tf.customGrad forward shows up as an "unnamed scope" whose time includes the kernels inside it,
  // which are listed on their own too: leave it out so nothing is counted twice.
  if (k.name === 'unnamed scope') continue;
  const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
  const entry = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
  entry.ms += ms;
  entry.calls += 1;
  byKernel.set(k.name, entry);
  total += ms;
}
console.log(`profiled step (tf.profile, wall time per kernel): ${[...byKernel.values()].reduce((a, e) => a + e.calls, 0)} kernel calls, ${total.toFixed(0)} ms in kernels`);
for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12)) {
  console.log(`  ${name.padEnd(22)} ${e.ms.toFixed(1).padStart(8)} ms ${((100 * e.ms) / total).toFixed(1).padStart(5)}%  ${e.calls} calls`);
}
