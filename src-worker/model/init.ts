/**
 * Initial weights as open_clip creates them (docs/design/algorithms.md#model-and-initialisation), with PyTorch's module defaults where
 * open_clip leaves a parameter alone:
 *
 * vision (VisionTransformer.init_parameters is a no-op):
 *   class_embedding, positional_embedding, proj ~ N(0, width^-0.5)
 *   conv1.weight (Conv2d default, kaiming_uniform a=√5) ~ U(±1/√(3p²))
 *   attn.in_proj_weight (MultiheadAttention: xavier_uniform) ~ U(±√(6/(w+3w))); in_proj_bias = out_proj.bias = 0
 *   attn.out_proj.weight, mlp.c_fc.*, mlp.c_proj.* (Linear default) ~ U(±1/√fan_in)
 * text (TextTransformer.init_parameters):
 *   token_embedding ~ N(0, 0.02); positional_embedding ~ N(0, 0.01); text_projection ~ N(0, w^-0.5)
 *   in_proj_weight ~ N(0, w^-0.5); out_proj.weight, c_proj.weight ~ N(0, w^-0.5·(2L)^-0.5); c_fc.weight ~ N(0, (2w)^-0.5)
 *   biases: in_proj/out_proj 0 (MultiheadAttention), c_fc/c_proj Linear default U(±1/√fan_in)
 * LayerNorm weight 1, bias 0 everywhere; logit_scale = config.initLogitScale (ln(1/0.07) unless set).
 *
 * Random numbers come from a JavaScript generator seeded per parameter from (seed, name), so a model is
 * the same on every backend and adding a layer does not reshuffle the others.
 */
import type { ClipConfig } from './config';
import { clipParamSpecs, sizeOfShape } from './param-spec';
import type { StateDict } from './state-dict';

export type ParamInit =
  | { kind: 'normal'; std: number }
  | { kind: 'uniform'; bound: number }
  | { kind: 'const'; value: number };

const normal = (std: number): ParamInit => ({ kind: 'normal', std });
const uniform = (bound: number): ParamInit => ({ kind: 'uniform', bound });
const constant = (value: number): ParamInit => ({ kind: 'const', value });

function blockInit(suffix: string, width: number, mlpWidth: number, text: { layers: number } | null): ParamInit {
  const linearDefault = (fanIn: number) => uniform(1 / Math.sqrt(fanIn));
  if (suffix.endsWith('.weight') && (suffix.startsWith('ln_1') || suffix.startsWith('ln_2'))) return constant(1);
  if (suffix.startsWith('ln_')) return constant(0);
  switch (suffix) {
    case 'attn.in_proj_bias':
    case 'attn.out_proj.bias':
      return constant(0);
    case 'mlp.c_fc.bias':
      return linearDefault(width);
    case 'mlp.c_proj.bias':
      return linearDefault(mlpWidth);
  }
  if (text) {
    const projStd = width ** -0.5 * (2 * text.layers) ** -0.5;
    switch (suffix) {
      case 'attn.in_proj_weight': return normal(width ** -0.5);
      case 'attn.out_proj.weight': return normal(projStd);
      case 'mlp.c_fc.weight': return normal((2 * width) ** -0.5);
      case 'mlp.c_proj.weight': return normal(projStd);
    }
  } else {
    switch (suffix) {
      case 'attn.in_proj_weight': return uniform(Math.sqrt(6 / (width + 3 * width)));
      case 'attn.out_proj.weight': return linearDefault(width);
      case 'mlp.c_fc.weight': return linearDefault(width);
      case 'mlp.c_proj.weight': return linearDefault(mlpWidth);
    }
  }
  throw new Error(`no initialiser for block parameter ${suffix}`);
}

/** How open_clip (or PyTorch's default) initialises the parameter `name` of `cfg`. */
export function initializerFor(cfg: ClipConfig, name: string): ParamInit {
  const v = cfg.vision;
  const t = cfg.text;
  const block = /^(visual\.)?transformer\.resblocks\.\d+\.(.+)$/.exec(name);
  if (block) {
    const isVision = block[1] !== undefined;
    return isVision ? blockInit(block[2]!, v.width, v.mlpWidth, null) : blockInit(block[2]!, t.width, t.mlpWidth, { layers: t.layers });
  }
  switch (name) {
    case 'logit_scale': return constant(cfg.initLogitScale);
    case 'positional_embedding': return normal(0.01);
    case 'token_embedding.weight': return normal(0.02);
    case 'text_projection': return normal(t.width ** -0.5);
    case 'ln_final.weight': return constant(1);
    case 'ln_final.bias': return constant(0);
    case 'visual.class_embedding':
    case 'visual.positional_embedding':
    case 'visual.proj':
      return normal(v.width ** -0.5);
    case 'visual.conv1.weight': return uniform(1 / Math.sqrt(3 * v.patchSize * v.patchSize));
    case 'visual.ln_pre.weight':
    case 'visual.ln_post.weight':
      return constant(1);
    case 'visual.ln_pre.bias':
    case 'visual.ln_post.bias':
      return constant(0);
  }
  throw new Error(`no initialiser for parameter ${name}`);
}

/** FNV-1a of "seed:name", then a murmur3 finaliser so nearby seeds give unrelated streams. */
function streamSeed(seed: number, name: string): number {
  let h = 0x811c9dc5;
  const text = `${seed}:${name}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** mulberry32: small, fast, good enough statistical quality for weight init. Returns uniforms in (0, 1). */
function uniformStream(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
}

function fill(out: Float32Array, init: ParamInit, seed: number): void {
  if (init.kind === 'const') { out.fill(init.value); return; }
  const u = uniformStream(seed);
  if (init.kind === 'uniform') {
    for (let i = 0; i < out.length; i++) out[i] = (2 * u() - 1) * init.bound;
    return;
  }
  // Box-Muller, both outputs used.
  for (let i = 0; i < out.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(u())) * init.std;
    const th = 2 * Math.PI * u();
    out[i] = r * Math.cos(th);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(th);
  }
}

/** Fresh weights for `cfg`, deterministic in `seed`, as a state dict (open_clip names and layouts). */
export function initStateDict(cfg: ClipConfig, seed: number): StateDict {
  const sd: StateDict = new Map();
  for (const spec of clipParamSpecs(cfg)) {
    const data = new Float32Array(sizeOfShape(spec.shape));
    fill(data, initializerFor(cfg, spec.name), streamSeed(seed, spec.name));
    sd.set(spec.name, { shape: [...spec.shape], data });
  }
  return sd;
}
