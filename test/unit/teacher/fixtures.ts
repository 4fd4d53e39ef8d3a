/**
 * Tiny teacher models on disk for the reference-model tests: an open_clip config JSON, a CLIP BPE
 * vocabulary in both file forms, and weights in Hugging Face transformers layout (names and shapes as
 * transformers' CLIPModel saves them, position_ids buffers as I64) or in open_clip layout.
 *
 * The HF → open_clip correspondence below is written out independently of src-worker/teacher, from
 * transformers' module structure, so a naming or layout slip in the loader does not cancel out here.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseModelConfig, type ClipConfig, type OpenClipConfigJson } from '../../../src-worker/model/config';
import { saveStateDict, type HostTensor, type StateDict } from '../../../src-worker/model/state-dict';
import { saveVocabulary, vocabularyFromMerges, type BpeVocabulary, type MergeRule } from '../../../src-worker/text';

export function tempDir(prefix = 'clipwb-teacher-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export const TINY_MERGES: MergeRule[] = [['c', 'a'], ['ca', 't</w>'], ['d', 'o'], ['do', 'g</w>']];
/** 512 byte symbols + 4 merges + 2 specials. */
export const TINY_VOCAB_SIZE = 518;

export function tinyVocabulary(merges: MergeRule[] = TINY_MERGES): BpeVocabulary {
  return vocabularyFromMerges(merges, 'test merges');
}

/** vocab.json + merges.txt (and a .txt.gz) in `dir`. */
export function writeVocabulary(dir: string, merges: MergeRule[] = TINY_MERGES): string {
  fs.mkdirSync(dir, { recursive: true });
  saveVocabulary(tinyVocabulary(merges), dir);
  return dir;
}

export interface TinyArch {
  embedDim?: number;
  imageSize?: number;
  patchSize?: number;
  visionWidth?: number;
  visionLayers?: number;
  contextLength?: number;
  vocabSize?: number;
  textWidth?: number;
  textLayers?: number;
  quickGelu?: boolean;
}

export function tinyOpenClipJson(a: TinyArch = {}): OpenClipConfigJson {
  const json: OpenClipConfigJson = {
    embed_dim: a.embedDim ?? 8,
    vision_cfg: { image_size: a.imageSize ?? 8, patch_size: a.patchSize ?? 4, width: a.visionWidth ?? 8, layers: a.visionLayers ?? 2, head_width: 4 },
    text_cfg: { context_length: a.contextLength ?? 6, vocab_size: a.vocabSize ?? TINY_VOCAB_SIZE, width: a.textWidth ?? 8, heads: 2, layers: a.textLayers ?? 2 },
  };
  if (a.quickGelu) json.quick_gelu = true;
  return json;
}

export function tinyConfig(a: TinyArch = {}, name = 'tiny'): ClipConfig {
  return parseModelConfig(tinyOpenClipJson(a), name);
}

/** An open_clip config JSON file (usable as --distill-model or as a student config). */
export function writeConfigFile(dir: string, a: TinyArch = {}, name = 'tiny.json'): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(tinyOpenClipJson(a)));
  return file;
}

/** transformers' config.json for the same architecture. */
export function hfConfigJson(cfg: ClipConfig, hiddenAct = 'quick_gelu'): Record<string, unknown> {
  return {
    architectures: ['CLIPModel'],
    model_type: 'clip',
    projection_dim: cfg.embedDim,
    logit_scale_init_value: 2.6592,
    text_config: {
      vocab_size: cfg.text.vocabSize,
      hidden_size: cfg.text.width,
      intermediate_size: cfg.text.mlpWidth,
      num_hidden_layers: cfg.text.layers,
      num_attention_heads: cfg.text.heads,
      max_position_embeddings: cfg.text.contextLength,
      hidden_act: hiddenAct,
      eos_token_id: 2,
      model_type: 'clip_text_model',
    },
    vision_config: {
      hidden_size: cfg.vision.width,
      intermediate_size: cfg.vision.mlpWidth,
      num_hidden_layers: cfg.vision.layers,
      num_attention_heads: cfg.vision.heads,
      image_size: cfg.vision.imageSize,
      patch_size: cfg.vision.patchSize,
      hidden_act: hiddenAct,
      model_type: 'clip_vision_model',
    },
  };
}

function values(n: number, seed: number, scale: number, around = 0): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = around + (s / 4294967296 * 2 - 1) * scale;
  }
  return out;
}

/** HF names and shapes of a transformers CLIPModel, listed module by module. */
export function hfTensorShapes(cfg: ClipConfig): [string, number[]][] {
  const v = cfg.vision;
  const t = cfg.text;
  const layer = (p: string, w: number, mlp: number): [string, number[]][] => [
    [`${p}.self_attn.k_proj.weight`, [w, w]], [`${p}.self_attn.k_proj.bias`, [w]],
    [`${p}.self_attn.v_proj.weight`, [w, w]], [`${p}.self_attn.v_proj.bias`, [w]],
    [`${p}.self_attn.q_proj.weight`, [w, w]], [`${p}.self_attn.q_proj.bias`, [w]],
    [`${p}.self_attn.out_proj.weight`, [w, w]], [`${p}.self_attn.out_proj.bias`, [w]],
    [`${p}.layer_norm1.weight`, [w]], [`${p}.layer_norm1.bias`, [w]],
    [`${p}.mlp.fc1.weight`, [mlp, w]], [`${p}.mlp.fc1.bias`, [mlp]],
    [`${p}.mlp.fc2.weight`, [w, mlp]], [`${p}.mlp.fc2.bias`, [w]],
    [`${p}.layer_norm2.weight`, [w]], [`${p}.layer_norm2.bias`, [w]],
  ];
  const out: [string, number[]][] = [
    ['logit_scale', []],
    ['text_model.embeddings.token_embedding.weight', [t.vocabSize, t.width]],
    ['text_model.embeddings.position_embedding.weight', [t.contextLength, t.width]],
  ];
  for (let i = 0; i < t.layers; i++) out.push(...layer(`text_model.encoder.layers.${i}`, t.width, t.mlpWidth));
  out.push(['text_model.final_layer_norm.weight', [t.width]], ['text_model.final_layer_norm.bias', [t.width]]);
  out.push(
    ['vision_model.embeddings.class_embedding', [v.width]],
    ['vision_model.embeddings.patch_embedding.weight', [v.width, 3, v.patchSize, v.patchSize]],
    ['vision_model.embeddings.position_embedding.weight', [v.gridSize * v.gridSize + 1, v.width]],
    ['vision_model.pre_layrnorm.weight', [v.width]], ['vision_model.pre_layrnorm.bias', [v.width]],
  );
  for (let i = 0; i < v.layers; i++) out.push(...layer(`vision_model.encoder.layers.${i}`, v.width, v.mlpWidth));
  out.push(['vision_model.post_layernorm.weight', [v.width]], ['vision_model.post_layernorm.bias', [v.width]]);
  out.push(['visual_projection.weight', [cfg.embedDim, v.width]], ['text_projection.weight', [cfg.embedDim, t.width]]);
  return out;
}

/** Random HF weights: norm gains around 1, everything else small, all nonzero. */
export function randomHfWeights(cfg: ClipConfig, seed: number): StateDict {
  const sd: StateDict = new Map();
  hfTensorShapes(cfg).forEach(([name, shape], i) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const gain = /(layer_norm\d|layrnorm|layernorm|final_layer_norm)\.weight$/.test(name);
    sd.set(name, { shape, data: name === 'logit_scale' ? Float32Array.of(Math.log(100)) : values(n, seed * 977 + i, 0.5, gain ? 1 : 0) });
  });
  return sd;
}

function cat(...parts: HostTensor[]): HostTensor {
  const data = new Float32Array(parts.reduce((s, p) => s + p.data.length, 0));
  let o = 0;
  for (const p of parts) { data.set(p.data, o); o += p.data.length; }
  return { shape: [parts.reduce((s, p) => s + p.shape[0]!, 0), ...parts[0]!.shape.slice(1)], data };
}

function transposed(t: HostTensor): HostTensor {
  const [r, c] = t.shape as [number, number];
  const data = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) data[j * r + i] = t.data[i * c + j]!;
  return { shape: [c, r], data };
}

/** The same weights under open_clip names: nn.MultiheadAttention packs [q; k; v]; projections are x @ P. */
export function hfToOpenClipByHand(hf: StateDict, cfg: ClipConfig): StateDict {
  const g = (n: string): HostTensor => {
    const t = hf.get(n);
    if (!t) throw new Error(`fixture: no ${n}`);
    return t;
  };
  const sd: StateDict = new Map();
  const block = (hp: string, op: string) => {
    sd.set(`${op}.ln_1.weight`, g(`${hp}.layer_norm1.weight`));
    sd.set(`${op}.ln_1.bias`, g(`${hp}.layer_norm1.bias`));
    sd.set(`${op}.attn.in_proj_weight`, cat(g(`${hp}.self_attn.q_proj.weight`), g(`${hp}.self_attn.k_proj.weight`), g(`${hp}.self_attn.v_proj.weight`)));
    sd.set(`${op}.attn.in_proj_bias`, cat(g(`${hp}.self_attn.q_proj.bias`), g(`${hp}.self_attn.k_proj.bias`), g(`${hp}.self_attn.v_proj.bias`)));
    sd.set(`${op}.attn.out_proj.weight`, g(`${hp}.self_attn.out_proj.weight`));
    sd.set(`${op}.attn.out_proj.bias`, g(`${hp}.self_attn.out_proj.bias`));
    sd.set(`${op}.ln_2.weight`, g(`${hp}.layer_norm2.weight`));
    sd.set(`${op}.ln_2.bias`, g(`${hp}.layer_norm2.bias`));
    sd.set(`${op}.mlp.c_fc.weight`, g(`${hp}.mlp.fc1.weight`));
    sd.set(`${op}.mlp.c_fc.bias`, g(`${hp}.mlp.fc1.bias`));
    sd.set(`${op}.mlp.c_proj.weight`, g(`${hp}.mlp.fc2.weight`));
    sd.set(`${op}.mlp.c_proj.bias`, g(`${hp}.mlp.fc2.bias`));
  };
  sd.set('positional_embedding', g('text_model.embeddings.position_embedding.weight'));
  sd.set('text_projection', transposed(g('text_projection.weight')));
  sd.set('logit_scale', g('logit_scale'));
  sd.set('visual.class_embedding', g('vision_model.embeddings.class_embedding'));
  sd.set('visual.positional_embedding', g('vision_model.embeddings.position_embedding.weight'));
  sd.set('visual.proj', transposed(g('visual_projection.weight')));
  sd.set('visual.conv1.weight', g('vision_model.embeddings.patch_embedding.weight'));
  sd.set('visual.ln_pre.weight', g('vision_model.pre_layrnorm.weight'));
  sd.set('visual.ln_pre.bias', g('vision_model.pre_layrnorm.bias'));
  for (let i = 0; i < cfg.vision.layers; i++) block(`vision_model.encoder.layers.${i}`, `visual.transformer.resblocks.${i}`);
  sd.set('visual.ln_post.weight', g('vision_model.post_layernorm.weight'));
  sd.set('visual.ln_post.bias', g('vision_model.post_layernorm.bias'));
  for (let i = 0; i < cfg.text.layers; i++) block(`text_model.encoder.layers.${i}`, `transformer.resblocks.${i}`);
  sd.set('token_embedding.weight', g('text_model.embeddings.token_embedding.weight'));
  sd.set('ln_final.weight', g('text_model.final_layer_norm.weight'));
  sd.set('ln_final.bias', g('text_model.final_layer_norm.bias'));
  return sd;
}

interface RawTensor { name: string; dtype: 'F32' | 'I64'; shape: number[]; bytes: Uint8Array }

/** A safetensors file written byte by byte here (F32 and I64), not with the project's writer. */
export function writeRawSafetensors(file: string, tensors: RawTensor[]): void {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.bytes.byteLength] };
    offset += t.bytes.byteLength;
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.byteLength));
  fs.writeFileSync(file, Buffer.concat([len, json, ...tensors.map((t) => Buffer.from(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength))]));
}

const f32 = (name: string, t: HostTensor): RawTensor => ({ name, dtype: 'F32', shape: t.shape, bytes: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength) });

function positionIds(n: number): Uint8Array {
  const ids = new BigInt64Array(n);
  for (let i = 0; i < n; i++) ids[i] = BigInt(i);
  return new Uint8Array(ids.buffer);
}

/** model.safetensors as transformers saves a CLIPModel (with the I64 position_ids buffers). */
export function writeHfWeights(file: string, hf: StateDict, cfg: ClipConfig, options: { positionIds?: boolean } = {}): void {
  const tensors = [...hf].map(([name, t]) => f32(name, t));
  if (options.positionIds ?? true) {
    const grid = cfg.vision.gridSize * cfg.vision.gridSize + 1;
    tensors.push({ name: 'text_model.embeddings.position_ids', dtype: 'I64', shape: [1, cfg.text.contextLength], bytes: positionIds(cfg.text.contextLength) });
    tensors.push({ name: 'vision_model.embeddings.position_ids', dtype: 'I64', shape: [1, grid], bytes: positionIds(grid) });
  }
  writeRawSafetensors(file, tensors);
}

/** A model folder as transformers ships it: model.safetensors, config.json, vocab.json, merges.txt. */
export function writeHfFolder(dir: string, cfg: ClipConfig, seed: number, options: { hiddenAct?: string; merges?: MergeRule[] } = {}): { dir: string; hf: StateDict } {
  fs.mkdirSync(dir, { recursive: true });
  const hf = randomHfWeights(cfg, seed);
  writeHfWeights(path.join(dir, 'model.safetensors'), hf, cfg);
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(hfConfigJson(cfg, options.hiddenAct)));
  saveVocabulary(tinyVocabulary(options.merges), dir);
  for (const f of fs.readdirSync(dir)) if (f.endsWith('.txt.gz')) fs.rmSync(path.join(dir, f));
  return { dir, hf };
}

/** What `clipwb models pull` leaves: the folder plus clipwb-model.json with every file's size. */
export function writePullManifest(dir: string, repo: string, weightsFile = 'model.safetensors', format = 'hf-transformers-safetensors'): void {
  const files = fs.readdirSync(dir).filter((f) => f !== 'clipwb-model.json').map((f) => ({ path: f, size: fs.statSync(path.join(dir, f)).size, sha256: '0'.repeat(64) }));
  const manifest = { version: 1, repo, revision: 'main', commit: 'a'.repeat(40), source: 'https://huggingface.co', pulledAt: new Date(0).toISOString(), weights: { file: weightsFile, format }, files };
  fs.writeFileSync(path.join(dir, 'clipwb-model.json'), JSON.stringify(manifest));
}

export async function writeOpenClipWeights(file: string, sd: StateDict, prefix = ''): Promise<void> {
  await saveStateDict(file, new Map([...sd].map(([k, v]) => [prefix + k, v])));
}
