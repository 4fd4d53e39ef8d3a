/**
 * An independent CLIP forward in plain JavaScript loops and float64, written from docs/design/algorithms.md#model-and-initialisation and the
 * PyTorch module definitions (not from our tfjs code): the yardstick for the model's correctness.
 * Deliberately naive: one image / one sequence at a time, explicit index arithmetic on PyTorch layouts.
 */
import type { ClipConfig } from '../../../src-worker/model/config';
import type { StateDict } from '../../../src-worker/model/state-dict';

type Vec = number[];
type Mat = number[][]; // [rows][cols]

function param(sd: StateDict, name: string): Float32Array {
  const t = sd.get(name);
  if (!t) throw new Error(`reference: missing ${name}`);
  return t.data;
}

/** erf by its Taylor series (exact to ~1e-9 for |x| ≤ 5; ±1 beyond, where erf differs from 1 by < 2e-12). */
export function erf(x: number): number {
  if (x > 5) return 1;
  if (x < -5) return -1;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

function act(x: number, quick: boolean): number {
  return quick ? x / (1 + Math.exp(-1.702 * x)) : 0.5 * x * (1 + erf(x / Math.SQRT2));
}

function layerNorm(x: Vec, w: Float32Array, b: Float32Array): Vec {
  const n = x.length;
  const mean = x.reduce((a, v) => a + v, 0) / n;
  const variance = x.reduce((a, v) => a + (v - mean) ** 2, 0) / n;
  return x.map((v, i) => ((v - mean) / Math.sqrt(variance + 1e-5)) * w[i]! + b[i]!);
}

/** PyTorch Linear: y[o] = Σ_i W[o, i]·x[i] + b[o], W stored row-major [out, in]. */
function linear(x: Vec, w: Float32Array, b: Float32Array | null, out: number): Vec {
  const inDim = x.length;
  const y: Vec = [];
  for (let o = 0; o < out; o++) {
    let s = b ? b[o]! : 0;
    for (let i = 0; i < inDim; i++) s += w[o * inDim + i]! * x[i]!;
    y.push(s);
  }
  return y;
}

/** x @ P with P stored row-major [in, out] (visual.proj, text_projection). */
function matVecRight(x: Vec, p: Float32Array, out: number): Vec {
  const y: Vec = new Array<number>(out).fill(0);
  for (let i = 0; i < x.length; i++) for (let o = 0; o < out; o++) y[o]! += x[i]! * p[i * out + o]!;
  return y;
}

function attention(x: Mat, sd: StateDict, prefix: string, heads: number, causal: boolean): Mat {
  const t = x.length;
  const w = x[0]!.length;
  const d = w / heads;
  const qkv = x.map((row) => linear(row, param(sd, `${prefix}.in_proj_weight`), param(sd, `${prefix}.in_proj_bias`), 3 * w));
  const out: Mat = x.map(() => new Array<number>(w).fill(0));
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < t; i++) {
      const scores: number[] = [];
      for (let j = 0; j < t; j++) {
        if (causal && j > i) { scores.push(-Infinity); continue; }
        let s = 0;
        for (let c = 0; c < d; c++) s += qkv[i]![h * d + c]! * qkv[j]![w + h * d + c]!;
        scores.push(s / Math.sqrt(d));
      }
      const max = Math.max(...scores);
      const e = scores.map((s) => Math.exp(s - max));
      const z = e.reduce((a, v) => a + v, 0);
      for (let j = 0; j < t; j++) {
        for (let c = 0; c < d; c++) out[i]![h * d + c]! += (e[j]! / z) * qkv[j]![2 * w + h * d + c]!;
      }
    }
  }
  return out.map((row) => linear(row, param(sd, `${prefix}.out_proj.weight`), param(sd, `${prefix}.out_proj.bias`), w));
}

function block(x: Mat, sd: StateDict, prefix: string, heads: number, mlpWidth: number, causal: boolean, quick: boolean): Mat {
  const p = (n: string) => param(sd, `${prefix}.${n}`);
  const w = x[0]!.length;
  const a = attention(x.map((r) => layerNorm(r, p('ln_1.weight'), p('ln_1.bias'))), sd, `${prefix}.attn`, heads, causal);
  const x1 = x.map((r, i) => r.map((v, c) => v + a[i]![c]!));
  return x1.map((r) => {
    const h = linear(layerNorm(r, p('ln_2.weight'), p('ln_2.bias')), p('mlp.c_fc.weight'), p('mlp.c_fc.bias'), mlpWidth).map((v) => act(v, quick));
    const m = linear(h, p('mlp.c_proj.weight'), p('mlp.c_proj.bias'), w);
    return r.map((v, c) => v + m[c]!);
  });
}

/** One image, NHWC values [size][size][3] flattened row-major; returns unnormalised features. */
export function referenceImageFeatures(sd: StateDict, cfg: ClipConfig, image: Float32Array): Vec {
  const { imageSize: s, patchSize: p, gridSize: g, width: w } = cfg.vision;
  const pixel = (y: number, x: number, c: number) => image[(y * s + x) * 3 + c]!;
  const conv = param(sd, 'visual.conv1.weight'); // [w, 3, p, p]
  const tokens: Mat = [Array.from(param(sd, 'visual.class_embedding'))];
  for (let gy = 0; gy < g; gy++) {
    for (let gx = 0; gx < g; gx++) {
      const row: Vec = [];
      for (let o = 0; o < w; o++) {
        let acc = 0;
        for (let c = 0; c < 3; c++) {
          for (let ky = 0; ky < p; ky++) {
            for (let kx = 0; kx < p; kx++) acc += conv[((o * 3 + c) * p + ky) * p + kx]! * pixel(gy * p + ky, gx * p + kx, c);
          }
        }
        row.push(acc);
      }
      tokens.push(row);
    }
  }
  const pos = param(sd, 'visual.positional_embedding');
  let x = tokens.map((r, t) => r.map((v, c) => v + pos[t * w + c]!));
  x = x.map((r) => layerNorm(r, param(sd, 'visual.ln_pre.weight'), param(sd, 'visual.ln_pre.bias')));
  for (let l = 0; l < cfg.vision.layers; l++) {
    x = block(x, sd, `visual.transformer.resblocks.${l}`, cfg.vision.heads, cfg.vision.mlpWidth, false, cfg.quickGelu);
  }
  const cls = layerNorm(x[0]!, param(sd, 'visual.ln_post.weight'), param(sd, 'visual.ln_post.bias'));
  return matVecRight(cls, param(sd, 'visual.proj'), cfg.embedDim);
}

/** One token sequence; returns unnormalised features. */
export function referenceTextFeatures(sd: StateDict, cfg: ClipConfig, tokens: readonly number[]): Vec {
  const w = cfg.text.width;
  const emb = param(sd, 'token_embedding.weight');
  const pos = param(sd, 'positional_embedding');
  let x: Mat = tokens.map((id, t) => Array.from({ length: w }, (_, c) => emb[id * w + c]! + pos[t * w + c]!));
  for (let l = 0; l < cfg.text.layers; l++) {
    x = block(x, sd, `transformer.resblocks.${l}`, cfg.text.heads, cfg.text.mlpWidth, true, cfg.quickGelu);
  }
  let eot = 0;
  for (let t = 1; t < tokens.length; t++) if (tokens[t]! > tokens[eot]!) eot = t;
  const pooled = layerNorm(x[eot]!, param(sd, 'ln_final.weight'), param(sd, 'ln_final.bias'));
  return matVecRight(pooled, param(sd, 'text_projection'), cfg.embedDim);
}
