/**
 * Benchmark of evaluation's hot paths at full scale (a script that prints figures, not a test):
 *   node bin/run-ts.mjs test/unit/eval/eval-bench.ts [wasm|cpu] [repeats]
 * - MSCOCO-size retrieval ranking: 25,000 captions x 5,000 images, d = 512;
 * - ImageNet-size zero-shot scoring: 10,000 images x 1,000 classes, batches of 256.
 * Embeddings are random: the encoders are not measured here.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendPreference } from '../../../src-worker/backend/select';
import { ClassificationAccumulator } from '../../../src-worker/eval/classification-metrics';
import { retrievalMetrics } from '../../../src-worker/eval/retrieval-metrics';
import { l2NormalizeRows } from '../../../src-worker/eval/vectors';

const backend = (process.argv[2] ?? 'wasm') as BackendPreference;
const repeats = Number(process.argv[3] ?? 3);

function randomRows(n: number, d: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const x = new Float32Array(n * d);
  for (let i = 0; i < x.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = s / 4294967296 - 0.5;
  }
  return l2NormalizeRows(x, n, d);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timeIt(label: string, fn: () => Promise<void>): Promise<void> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await fn();
    const c = process.cpuUsage(c0);
    wall.push((performance.now() - t0) / 1000);
    cpu.push((c.user + c.system) / 1e6);
  }
  // CPU time of this (single-threaded wasm) process is steadier than wall time on a shared machine.
  const list = (xs: number[]) => xs.map((t) => t.toFixed(2)).join(', ');
  console.log(`${label}: median wall ${median(wall).toFixed(2)} s [${list(wall)}], median cpu ${median(cpu).toFixed(2)} s [${list(cpu)}]`);
}

async function main(): Promise<void> {
  const report = await initBackend(backend);
  console.log(`backend ${report.name} (${report.provider})`);
  const d = 512;
  const numImages = 5000;
  const numTexts = 25000;
  const images = randomRows(numImages, d, 1);
  const texts = randomRows(numTexts, d, 2);
  const textImage = Int32Array.from({ length: numTexts }, (_, j) => Math.floor(j / 5));

  await timeIt('retrieval 25k x 5k x 512, full metrics', async () => {
    await retrievalMetrics({ dim: d, images, texts, textImage });
  });
  // The same blocks through the matMul alone, to split compute from ranking.
  await timeIt('retrieval 25k x 5k x 512, matMul + download only', async () => {
    const imagesT = tf.tidy(() => tf.transpose(tf.tensor2d(images, [numImages, d])));
    const rows = Math.floor((1 << 22) / numImages);
    for (let start = 0; start < numTexts; start += rows) {
      const n = Math.min(rows, numTexts - start);
      const s = tf.tidy(() => tf.matMul(tf.tensor2d(texts.subarray(start * d, (start + n) * d), [n, d]), imagesT));
      await s.data();
      s.dispose();
    }
    imagesT.dispose();
  });

  const classes = 1000;
  const numEval = 10000;
  const batch = 256;
  const x = randomRows(numEval, d, 3);
  const w = tf.tidy(() => tf.transpose(tf.tensor2d(randomRows(classes, d, 4), [classes, d])));
  const labels = Int32Array.from({ length: numEval }, (_, i) => i % classes);
  await timeIt('zero-shot scoring 10k images x 1000 classes (batch 256)', async () => {
    const acc = new ClassificationAccumulator(classes);
    for (let s = 0; s < numEval; s += batch) {
      const n = Math.min(batch, numEval - s);
      const t = tf.tidy(() => tf.matMul(tf.tensor2d(x.subarray(s * d, (s + n) * d), [n, d]), w).mul(100));
      acc.add((await t.data()) as Float32Array, labels.subarray(s, s + n), n);
      t.dispose();
    }
    acc.result();
  });
  w.dispose();
}

await main();
