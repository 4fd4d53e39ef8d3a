/**
 * Data pipeline throughput: tar read + JPEG decode + RandomResizedCrop(224) + normalise, through the
 * real training loader, for the in-process stream (decoding on sharp's libuv threads) and for 1 and 2
 * loader worker threads. Prints images/s (median of several epochs) in total and per thread, then the
 * same with a consumer that blocks its thread for a fixed time per batch, as a synchronous
 * TensorFlow.js training step does: what matters there is how long the step waits for data.
 *
 *   node bin/run-ts.mjs bench/data.ts [--images 256] [--runs 5] [--step-ms 150] [--batch 32]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { createTrainLoader } from '../src-worker/data/loader/train-loader';
import { Rng } from '../src-worker/data/rng';
import { TarFileWriter } from '../src-worker/data/tar/writer';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}

const IMAGES = arg('images', 256);
const RUNS = arg('runs', 5);
const STEP_MS = arg('step-ms', 150);
const BATCH = arg('batch', 32);
const SHARDS = 4;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** Photo-like JPEGs: smooth colour fields plus noise, 256-500 px a side, quality 90. */
async function makeJpeg(rng: Rng): Promise<Buffer> {
  const width = rng.int(256, 500);
  const height = rng.int(256, 500);
  const px = Buffer.alloc(width * height * 3);
  const [fx, fy, phase] = [rng.uniform(0.005, 0.05), rng.uniform(0.005, 0.05), rng.uniform(0, 6)];
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = 3 * (y * width + x);
      const base = 128 + 100 * Math.sin(fx * x + phase) * Math.cos(fy * y);
      const noise = (rng.nextU32() & 31) - 16;
      px[i] = base + noise;
      px[i + 1] = 255 - base + noise;
      px[i + 2] = (x + y) % 256;
    }
  return sharp(px, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
}

async function makeShards(dir: string): Promise<string> {
  const rng = new Rng(12345);
  const perShard = Math.ceil(IMAGES / SHARDS);
  let key = 0;
  let bytes = 0;
  for (let s = 0; s < SHARDS; s++) {
    const writer = new TarFileWriter(path.join(dir, `${String(s).padStart(8, '0')}.tar`));
    for (let i = 0; i < perShard && key < IMAGES; i++, key++) {
      const name = String(key).padStart(9, '0');
      const jpg = await makeJpeg(rng);
      bytes += jpg.length;
      writer.add({ name: `${name}.jpg`, data: jpg });
      writer.add({ name: `${name}.txt`, data: `a photo of thing ${key}` });
      writer.add({ name: `${name}.json`, data: JSON.stringify({ key: name }) });
    }
    writer.close();
  }
  console.log(`${IMAGES} JPEGs, 256-500 px a side, mean ${(bytes / IMAGES / 1024).toFixed(0)} KiB, in ${SHARDS} shards`);
  return path.join(dir, `{${'0'.repeat(8)}..${String(SHARDS - 1).padStart(8, '0')}}.tar`);
}

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // Spin: a synchronous training step does not yield to the event loop either.
  }
}

interface Config {
  label: string;
  workers: number;
  decodeConcurrency: number;
  threads: number;
}

async function measure(pattern: string, config: Config, stepMs: number): Promise<{ ips: number; waitMs: number }> {
  // Each stream covers its share of the images once per epoch (b must divide it).
  const loader = await createTrainLoader({
    trainData: pattern,
    batchSize: BATCH,
    workers: config.workers,
    trainNumSamples: Math.floor(IMAGES / BATCH) * BATCH,
    dataSize: IMAGES,
    imageSize: 224,
    tokenize: (c) => new Int32Array(c.length),
    seed: 1,
    shuffleBuffer: 64,
    shuffleInitial: 16,
    decodeConcurrency: config.decodeConcurrency,
  });
  try {
    const rates: number[] = [];
    const waits: number[] = [];
    for (let run = 0; run <= RUNS; run++) {
      let images = 0;
      let wait = 0;
      let batches = 0;
      const t0 = performance.now();
      for await (const batch of loader.epoch(run)) {
        images += batch.size;
        wait += batch.waitMs;
        batches++;
        if (stepMs > 0) busyWait(stepMs);
      }
      const seconds = (performance.now() - t0) / 1000;
      // Run 0 warms up (thread start, JIT) and is not counted.
      if (run > 0) {
        rates.push(images / seconds);
        waits.push(wait / batches);
      }
    }
    return { ips: median(rates), waitMs: median(waits) };
  } finally {
    await loader.close();
  }
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${availableParallelism()} cores, sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}), libvips threads per image ${sharp.concurrency()}, UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'clipwb-bench-data-'));
  try {
    const pattern = await makeShards(dir);
    const configs: Config[] = [
      { label: 'inline, 1 decode in flight', workers: 0, decodeConcurrency: 1, threads: 1 },
      { label: 'inline, 2 decodes in flight', workers: 0, decodeConcurrency: 2, threads: 1 },
      { label: 'inline, 4 decodes in flight', workers: 0, decodeConcurrency: 4, threads: 1 },
      { label: '1 worker thread, 2 in flight', workers: 1, decodeConcurrency: 2, threads: 1 },
      { label: '2 worker threads, 1 in flight each', workers: 2, decodeConcurrency: 1, threads: 2 },
      { label: '2 worker threads, 2 in flight each', workers: 2, decodeConcurrency: 2, threads: 2 },
    ];
    console.log(`\nfree-running consumer: batch ${BATCH}, 224x224, median of ${RUNS} epochs`);
    console.log('config                                   images/s total   per thread');
    for (const c of configs) {
      const r = await measure(pattern, c, 0);
      console.log(`${c.label.padEnd(40)} ${r.ips.toFixed(1).padStart(14)} ${(c.workers > 0 ? (r.ips / c.threads).toFixed(1) : '-').padStart(12)}`);
    }
    console.log(`\nconsumer blocking its thread ${STEP_MS} ms per batch (a synchronous training step): mean wait per batch`);
    console.log('config                                   images/s total   wait ms/batch');
    for (const c of configs) {
      const r = await measure(pattern, c, STEP_MS);
      console.log(`${c.label.padEnd(40)} ${r.ips.toFixed(1).padStart(14)} ${r.waitMs.toFixed(1).padStart(15)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
