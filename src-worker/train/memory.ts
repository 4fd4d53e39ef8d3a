/**
 * What a run needs in memory, what the backend has, and what it used.
 *
 * The wasm backend keeps every tensor in one WebAssembly heap of at most 4 GiB (4,294,901,760 bytes in
 * tfjs-backend-wasm 4.22), whatever the machine has; running out aborts inside wasm. So before the
 * first step the worker estimates the backend-resident bytes of the run (weights, gradients, the
 * activations kept for the backward pass at this batch, the teacher's weights and forward) and refuses
 * a run that cannot fit, with the estimate, the limit and the fixes. The AdamW moments live in the JS
 * heap (Float32Arrays), so they count against the machine's memory, not the wasm heap.
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import type { ClipConfig } from '../model';
import { ConfigError } from '../../src-shared/config/train-config';

/** tfjs-backend-wasm's heap maximum (emscripten's getHeapMax: 4 GiB less one 64 KiB page). */
export const WASM_HEAP_MAX = 4_294_901_760;

const GB = 1e9;
/** Gigabytes to two decimals; below 0.1 GB in megabytes, so a small model's parts do not all read 0.00 GB. */
export const gb = (bytes: number): string => (bytes < 0.1 * GB ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / GB).toFixed(2)} GB`);

interface WasmModuleLike { HEAPU8?: Uint8Array; wasmMemory?: { buffer: ArrayBuffer } }

/** Bytes the wasm heap has grown to (it never shrinks, so this is its peak), or null on other backends. */
export function wasmHeapBytes(): number | null {
  if (tf.getBackend() !== 'wasm') return null;
  const wasm = (tf.backend() as unknown as { wasm?: WasmModuleLike }).wasm;
  const buffer = wasm?.HEAPU8?.buffer ?? wasm?.wasmMemory?.buffer;
  return buffer ? buffer.byteLength : null;
}

/** Peak resident set size of this process in bytes. */
export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/** One line for the run's log: peak RSS, the wasm heap, and tfjs's live tensor bytes. */
export function memoryReport(): string {
  const heap = wasmHeapBytes();
  return `memory: peak RSS ${gb(peakRssBytes())}` +
    (heap !== null ? `, wasm heap ${gb(heap)} of at most ${gb(WASM_HEAP_MAX)}` : '') +
    `, live tensors ${gb(tf.memory().numBytes)}`;
}

export interface MemoryEstimate {
  /** Bytes on the compute backend at the peak of a step (the wasm heap, or RAM for cpu). */
  backendBytes: number;
  /** Bytes in the JS heap (AdamW moments), outside the backend. */
  hostBytes: number;
  parts: Record<string, number>;
  recompute: boolean;
}

export interface EstimateInput {
  cfg: ClipConfig;
  /** Parameter count of the student, and how many of them are trained. */
  params: number;
  trainableParams: number;
  batchSize: number;
  /** Activation checkpointing (blocks recomputed in the backward pass). */
  recompute: boolean;
  teacher?: { cfg: ClipConfig; params: number } | null;
}

/**
 * Floats kept per sample by one residual attention block over `tokens` tokens for the backward pass:
 * `ACT_TOKEN` per token and unit of width (layer norms, q/k/v, projections, the 4x-wide MLP, and the
 * copies the backward pass makes) and `ACT_ATTN` per head and token pair (scores, softmax). Fitted to
 * tf.profile's peakBytes of one training step of this engine: ViT-B/32 at batch 1 and 2 (0.46 GB per
 * sample) and ViT-B/16 at batch 1 (1.17 GB per sample), on wasm.
 */
export const ACT_TOKEN = 121;
export const ACT_ATTN = 2.3;
/** Working memory of the backward pass beyond the gradients themselves, as a multiple of the weights (fitted as above: 0.84 GB for 150M parameters). */
export const BACKWARD_OVERHEAD = 1.4;

function blockFloats(tokens: number, width: number, heads: number): number {
  return ACT_TOKEN * tokens * width + ACT_ATTN * heads * tokens * tokens;
}

/** Floats per sample a tower keeps for the backward pass (all blocks, or with recomputation the block inputs plus one block). */
function towerFloats(tokens: number, width: number, heads: number, layers: number, recompute: boolean): number {
  const block = blockFloats(tokens, width, heads);
  return recompute ? layers * tokens * width + 2 * block : layers * block;
}

function sampleFloats(cfg: ClipConfig, recompute: boolean): number {
  const v = cfg.vision;
  const t = cfg.text;
  const patches = v.gridSize * v.gridSize + 1;
  return towerFloats(patches, v.width, v.heads, v.layers, recompute) + 6 * v.imageSize * v.imageSize +
    towerFloats(t.contextLength, t.width, t.heads, t.layers, recompute);
}

export function estimateRunMemory(input: EstimateInput): MemoryEstimate {
  const f = 4;
  const parts: Record<string, number> = {
    weights: input.params * f,
    gradients: input.trainableParams * f,
    'backward working set': BACKWARD_OVERHEAD * input.trainableParams * f,
    activations: input.batchSize * sampleFloats(input.cfg, input.recompute) * f,
  };
  if (input.teacher) {
    parts.teacher = input.teacher.params * f;
    // Forward only, outside the tape: about one block's working set at a time.
    parts['teacher forward'] = input.batchSize * sampleFloats(input.teacher.cfg, true) * f;
  }
  const backendBytes = Object.values(parts).reduce((a, b) => a + b, 0);
  return { backendBytes, hostBytes: input.trainableParams * 2 * f, parts, recompute: input.recompute };
}

/** The share of the wasm heap a run may plan to use: the allocator fragments, and batches pass through it. */
export const WASM_USABLE = 0.92;

/** What the backend can hold: the wasm heap's maximum, else the machine's memory. */
export function backendLimitBytes(backend: string = tf.getBackend()): { bytes: number; what: string } {
  if (backend === 'wasm') return { bytes: WASM_HEAP_MAX * WASM_USABLE, what: `the wasm backend's heap (${gb(WASM_HEAP_MAX)} at most whatever the machine has; ${Math.round(WASM_USABLE * 100)}% of it usable)` };
  return { bytes: os.totalmem(), what: `this machine's memory (${gb(os.totalmem())})` };
}

export interface FitDecision {
  estimate: MemoryEstimate;
  /** True when recomputation was turned on because the run would not fit without it. */
  recomputeChosen: boolean;
  limit: { bytes: number; what: string } | null;
}

/**
 * Decides activation checkpointing and refuses a run that cannot fit, before any step: the estimate by
 * part, the limit, and the fixes. GPU memory (tfjs-node-gpu) is not known here, so the tensorflow
 * backend is not checked.
 */
export function planRunMemory(input: Omit<EstimateInput, 'recompute'> & { worldSize: number; backend?: string; recompute: boolean }): FitDecision {
  const backend = input.backend ?? tf.getBackend();
  if (backend === 'tensorflow') return { estimate: estimateRunMemory(input), recomputeChosen: false, limit: null };
  const limit = backendLimitBytes(backend);
  const plain = estimateRunMemory(input);
  if (plain.backendBytes <= limit.bytes) return { estimate: plain, recomputeChosen: false, limit };
  const recomputed = input.recompute ? plain : estimateRunMemory({ ...input, recompute: true });
  if (recomputed.backendBytes <= limit.bytes) return { estimate: recomputed, recomputeChosen: !input.recompute, limit };
  const perSample = estimateRunMemory({ ...input, recompute: true, batchSize: 1 });
  const fixed = perSample.backendBytes - perSample.parts.activations! - (perSample.parts['teacher forward'] ?? 0);
  const oneSample = perSample.parts.activations! + (perSample.parts['teacher forward'] ?? 0);
  const fits = Math.floor((limit.bytes - fixed) / oneSample);
  const partsText = Object.entries(recomputed.parts).map(([k, v]) => `${k} ${gb(v)}`).join(', ');
  const fixes = [
    fits >= 1 ? `lower --batch-size to ${fits} or less` : 'the model alone does not fit, whatever the batch size',
    fits >= 1 ? `or keep the global batch with more processes (--nproc ${Math.ceil((input.batchSize * input.worldSize) / fits)} --batch-size ${fits})` : null,
    'or use --backend tensorflow (tfjs-node, on a GPU for speed), whose memory is not capped at 4 GiB',
  ].filter(Boolean).join(', ');
  throw new ConfigError('batch-size',
    `this run needs about ${gb(recomputed.backendBytes)} on the ${backend} backend at --batch-size ${input.batchSize} even with activation checkpointing (${partsText}), but ${limit.what} holds ${gb(limit.bytes)}`,
    `To fix: ${fixes}`);
}

/** Error messages of a wasm heap that ran out (emscripten aborts, or a write past the heap). */
const WASM_ABORT = /Aborted\(|RuntimeError: abort|memory access out of bounds|Cannot enlarge memory|out of memory/i;

/**
 * Turns a wasm abort into an error that says what happened: the backend ran out of memory. Other errors
 * are returned unchanged.
 */
export function explainWasmAbort(err: unknown, backend: string | null): unknown {
  const e = err as Error | null;
  const message = e?.message ?? String(err);
  if (backend !== 'wasm' || !WASM_ABORT.test(`${e?.name ?? ''}: ${message}`)) return err;
  const heap = wasmHeapBytes();
  const out = new ConfigError('batch-size',
    `out of memory: the wasm backend's heap (at most ${gb(WASM_HEAP_MAX)}) ran out${heap !== null ? ` at ${gb(heap)}` : ''} (wasm said: ${message.split('\n')[0]})`,
    'Lower --batch-size, split the batch over more processes (--nproc), add --grad-checkpointing, or use --backend tensorflow');
  out.name = 'OutOfMemoryError';
  out.stack = `${out.name}: ${out.message}\n(original) ${e?.stack ?? message}`;
  return out;
}
