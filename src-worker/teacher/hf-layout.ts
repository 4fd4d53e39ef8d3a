/**
 * Hugging Face `transformers` CLIPModel weights (as openai/clip-vit-base-patch32 publishes them) against
 * open_clip's names and PyTorch layouts, both ways.
 *
 * Differences beyond renaming:
 *  - attention: HF has separate q_proj / k_proj / v_proj Linears; open_clip's nn.MultiheadAttention packs
 *    them as in_proj_weight = [Wq; Wk; Wv] ([3w, w]) and in_proj_bias = [bq; bk; bv]. Both scale q by
 *    head_dim^-0.5 inside attention, so no weight is rescaled.
 *  - projections: HF's visual_projection / text_projection are bias-free Linears ([embed, width], used as
 *    x·Wᵀ); open_clip's visual.proj / text_projection are plain [width, embed] matrices used as x·P, so P = Wᵀ.
 *  - HF's `*.embeddings.position_ids` are index buffers, not weights: ignored.
 * Text pooling needs no mapping: transformers pools at argmax(input_ids) (eos_token_id 2, as in the
 * OpenAI configs) or at the first eos_token_id, and with CLIP's vocabulary the end-of-text id is the
 * largest, so both pick the row our text tower (argmax) picks.
 */
import type { ClipConfig } from '../model/config';
import { clipParamSpecs } from '../model/param-spec';
import type { HostTensor, StateDict } from '../model/state-dict';

export type HfRule =
  | { kind: 'rename'; hf: string; openClip: string }
  /** open_clip tensor = HF q, k, v stacked along the first axis. */
  | { kind: 'qkv'; hf: readonly [string, string, string]; openClip: string }
  /** open_clip tensor = transpose of the 2-D HF tensor. */
  | { kind: 'transpose'; hf: string; openClip: string };

export interface HfParamSpec {
  name: string;
  shape: number[];
}

/** True for HF buffers that hold no weights. */
export const isHfIgnoredBuffer = (name: string): boolean => name.endsWith('.embeddings.position_ids');

/** Whether tensor names are in HF layout (rather than open_clip's). */
export function looksLikeHfLayout(names: Iterable<string>): boolean {
  for (const n of names) if (n.startsWith('vision_model.') || n.startsWith('text_model.')) return true;
  return false;
}

function blockRules(hfPrefix: string, ocPrefix: string): HfRule[] {
  const rename = (hf: string, oc: string): HfRule[] => [
    { kind: 'rename', hf: `${hfPrefix}.${hf}.weight`, openClip: `${ocPrefix}.${oc}.weight` },
    { kind: 'rename', hf: `${hfPrefix}.${hf}.bias`, openClip: `${ocPrefix}.${oc}.bias` },
  ];
  const qkv = (suffix: 'weight' | 'bias'): HfRule => ({
    kind: 'qkv',
    hf: [`${hfPrefix}.self_attn.q_proj.${suffix}`, `${hfPrefix}.self_attn.k_proj.${suffix}`, `${hfPrefix}.self_attn.v_proj.${suffix}`],
    openClip: `${ocPrefix}.attn.in_proj_${suffix}`,
  });
  return [
    ...rename('layer_norm1', 'ln_1'),
    qkv('weight'),
    qkv('bias'),
    ...rename('self_attn.out_proj', 'attn.out_proj'),
    ...rename('layer_norm2', 'ln_2'),
    ...rename('mlp.fc1', 'mlp.c_fc'),
    ...rename('mlp.fc2', 'mlp.c_proj'),
  ];
}

/** One rule per open_clip parameter of `cfg`. */
export function hfRules(cfg: ClipConfig): HfRule[] {
  const r = (hf: string, openClip: string): HfRule => ({ kind: 'rename', hf, openClip });
  const rules: HfRule[] = [
    r('text_model.embeddings.position_embedding.weight', 'positional_embedding'),
    { kind: 'transpose', hf: 'text_projection.weight', openClip: 'text_projection' },
    r('logit_scale', 'logit_scale'),
    r('vision_model.embeddings.class_embedding', 'visual.class_embedding'),
    r('vision_model.embeddings.position_embedding.weight', 'visual.positional_embedding'),
    { kind: 'transpose', hf: 'visual_projection.weight', openClip: 'visual.proj' },
    r('vision_model.embeddings.patch_embedding.weight', 'visual.conv1.weight'),
    // "layrnorm" is HF's own spelling of this one name.
    r('vision_model.pre_layrnorm.weight', 'visual.ln_pre.weight'),
    r('vision_model.pre_layrnorm.bias', 'visual.ln_pre.bias'),
  ];
  for (let i = 0; i < cfg.vision.layers; i++) rules.push(...blockRules(`vision_model.encoder.layers.${i}`, `visual.transformer.resblocks.${i}`));
  rules.push(r('vision_model.post_layernorm.weight', 'visual.ln_post.weight'), r('vision_model.post_layernorm.bias', 'visual.ln_post.bias'));
  for (let i = 0; i < cfg.text.layers; i++) rules.push(...blockRules(`text_model.encoder.layers.${i}`, `transformer.resblocks.${i}`));
  rules.push(
    r('text_model.embeddings.token_embedding.weight', 'token_embedding.weight'),
    r('text_model.final_layer_norm.weight', 'ln_final.weight'),
    r('text_model.final_layer_norm.bias', 'ln_final.bias'),
  );
  return rules;
}

/** Every tensor a HF CLIPModel of `cfg` holds (buffers aside), with HF shapes. */
export function hfParamSpecs(cfg: ClipConfig): HfParamSpec[] {
  const shapes = new Map(clipParamSpecs(cfg).map((s) => [s.name, s.shape]));
  const out: HfParamSpec[] = [];
  for (const rule of hfRules(cfg)) {
    const shape = shapes.get(rule.openClip);
    if (!shape) throw new Error(`internal: no open_clip parameter ${rule.openClip}`);
    if (rule.kind === 'rename') out.push({ name: rule.hf, shape: [...shape] });
    else if (rule.kind === 'transpose') out.push({ name: rule.hf, shape: [...shape].reverse() });
    else for (const name of rule.hf) out.push({ name, shape: [shape[0]! / 3, ...shape.slice(1)] });
  }
  return out;
}

function transpose2d(t: HostTensor, name: string): HostTensor {
  if (t.shape.length !== 2) throw new Error(`${name}: expected a 2-D tensor to transpose, got shape [${t.shape.join(', ')}]`);
  const [rows, cols] = t.shape as [number, number];
  const out = new Float32Array(rows * cols);
  // Row-blocked so both the reads and the writes stay in cache for the 768×512 projections.
  const B = 64;
  for (let r0 = 0; r0 < rows; r0 += B) {
    const r1 = Math.min(rows, r0 + B);
    for (let c0 = 0; c0 < cols; c0 += B) {
      const c1 = Math.min(cols, c0 + B);
      for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) out[c * rows + r] = t.data[r * cols + c]!;
    }
  }
  return { shape: [cols, rows], data: out };
}

function take(sd: StateDict, name: string, consume: boolean): HostTensor {
  const t = sd.get(name);
  if (!t) throw new Error(`tensor ${name} is missing`);
  if (consume) sd.delete(name);
  return t;
}

function stack(parts: HostTensor[], names: readonly string[]): HostTensor {
  const first = parts[0]!;
  parts.forEach((p, i) => {
    if (p.shape.length !== first.shape.length || p.shape.some((d, k) => d !== first.shape[k])) {
      throw new Error(`${names[i]}: shape [${p.shape.join(', ')}] differs from ${names[0]} [${first.shape.join(', ')}]`);
    }
  });
  const data = new Float32Array(first.data.length * parts.length);
  parts.forEach((p, i) => data.set(p.data, i * first.data.length));
  return { shape: [first.shape[0]! * parts.length, ...first.shape.slice(1)], data };
}

function split3(t: HostTensor, name: string): HostTensor[] {
  const rows = t.shape[0]!;
  if (t.shape.length < 1 || rows % 3 !== 0) throw new Error(`${name}: first dimension ${rows} is not divisible by 3 (q, k, v)`);
  const n = t.data.length / 3;
  const shape = [rows / 3, ...t.shape.slice(1)];
  return [0, 1, 2].map((i) => ({ shape: [...shape], data: t.data.slice(i * n, (i + 1) * n) }));
}

/**
 * HF tensors → open_clip state dict (in open_clip's order). Renamed tensors keep their arrays (no copy).
 * With `consume`, each HF entry is deleted from `hf` once used, so a 600 MB teacher is never held twice:
 * only the q/k/v stacks and the two transposed projections are new arrays.
 */
export function hfToOpenClip(hf: StateDict, cfg: ClipConfig, options: { consume?: boolean } = {}): StateDict {
  const consume = options.consume ?? false;
  const out: StateDict = new Map();
  for (const rule of hfRules(cfg)) {
    if (rule.kind === 'rename') out.set(rule.openClip, take(hf, rule.hf, consume));
    else if (rule.kind === 'transpose') out.set(rule.openClip, transpose2d(take(hf, rule.hf, consume), rule.hf));
    else out.set(rule.openClip, stack(rule.hf.map((n) => take(hf, n, consume)), rule.hf));
  }
  return out;
}

/** open_clip state dict → HF tensor names and layouts (for tests and for exporting to transformers). */
export function openClipToHf(sd: StateDict, cfg: ClipConfig): StateDict {
  const out: StateDict = new Map();
  for (const rule of hfRules(cfg)) {
    const t = take(sd, rule.openClip, false);
    if (rule.kind === 'rename') out.set(rule.hf, { shape: [...t.shape], data: t.data.slice() });
    else if (rule.kind === 'transpose') out.set(rule.hf, transpose2d(t, rule.openClip));
    else split3(t, rule.openClip).forEach((part, i) => out.set(rule.hf[i]!, part));
  }
  return out;
}
