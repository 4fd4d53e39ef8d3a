/**
 * A Hugging Face `transformers` CLIP config.json → the architecture it describes, as a ClipConfig.
 *
 * Missing fields take transformers' defaults (CLIPTextConfig / CLIPVisionConfig / CLIPConfig, which
 * describe openai/clip-vit-base-patch32): text 49408 vocab, width 512, MLP 2048, 12 layers, 8 heads,
 * 77 positions; vision width 768, MLP 3072, 12 layers, 12 heads, 3 channels, 224 px, patch 32; both
 * quick_gelu with LayerNorm eps 1e-5; projection_dim 512. Old configs also carry `text_config_dict` /
 * `vision_config_dict`: as in transformers, such a dict (completed with the defaults) overrides
 * `text_config` / `vision_config`.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { DEFAULT_INIT_LOGIT_SCALE, type ClipConfig } from '../model/config';
import { jsonSyntaxProblem } from '../io/json-error';
import { WorkbenchError, type WorkbenchErrorOptions } from '../../src-shared/errors';

const TEXT_DEFAULTS = {
  vocab_size: 49408,
  hidden_size: 512,
  intermediate_size: 2048,
  num_hidden_layers: 12,
  num_attention_heads: 8,
  max_position_embeddings: 77,
  hidden_act: 'quick_gelu',
  layer_norm_eps: 1e-5,
};

const VISION_DEFAULTS = {
  hidden_size: 768,
  intermediate_size: 3072,
  num_hidden_layers: 12,
  num_attention_heads: 12,
  num_channels: 3,
  image_size: 224,
  patch_size: 32,
  hidden_act: 'quick_gelu',
  layer_norm_eps: 1e-5,
};

const DEFAULT_PROJECTION_DIM = 512;

const positiveInt = z.number().int().positive();
const tower = {
  hidden_size: positiveInt.optional(),
  intermediate_size: positiveInt.optional(),
  num_hidden_layers: positiveInt.optional(),
  num_attention_heads: positiveInt.optional(),
  hidden_act: z.string().optional(),
  layer_norm_eps: z.number().positive().optional(),
};
const textSchema = z.looseObject({ ...tower, vocab_size: positiveInt.optional(), max_position_embeddings: positiveInt.optional() });
const visionSchema = z.looseObject({ ...tower, num_channels: positiveInt.optional(), image_size: positiveInt.optional(), patch_size: positiveInt.optional() });
const configSchema = z.looseObject({
  model_type: z.string().optional(),
  projection_dim: positiveInt.optional(),
  text_config: textSchema.nullable().optional(),
  vision_config: visionSchema.nullable().optional(),
  text_config_dict: textSchema.nullable().optional(),
  vision_config_dict: visionSchema.nullable().optional(),
});

/** Thrown with the list of what is wrong; the loader turns it into a flag error. */
export class HfConfigError extends WorkbenchError {
  override name = 'HfConfigError';
  constructor(message: string, options: WorkbenchErrorOptions = {}) {
    super(message, { kind: 'invalid', ...options });
  }
}

export interface HfClipArchitecture {
  cfg: ClipConfig;
  /** hidden_act of the towers: 'quick_gelu' or 'gelu'. */
  activation: 'quick_gelu' | 'gelu';
}

function effective<T extends object>(defaults: T, config: object | null | undefined, dict: object | null | undefined): T {
  // A *_config_dict wins as a whole (completed with defaults), as transformers' CLIPConfig does.
  if (dict) return { ...defaults, ...dict };
  return { ...defaults, ...(config ?? {}) };
}

function activationOf(text: string, vision: string, problems: string[]): 'quick_gelu' | 'gelu' {
  if (text !== vision) problems.push(`text_config.hidden_act "${text}" and vision_config.hidden_act "${vision}" differ; this engine uses one activation for both towers`);
  for (const [where, act] of [['text_config', text], ['vision_config', vision]] as const) {
    // transformers' "gelu" is the exact erf GELU; "gelu_new"/"gelu_pytorch_tanh" are the tanh approximation.
    if (act !== 'quick_gelu' && act !== 'gelu') problems.push(`${where}.hidden_act "${act}" is not supported (this engine implements "quick_gelu" and exact "gelu")`);
  }
  return text === 'gelu' ? 'gelu' : 'quick_gelu';
}

/** Parses a config.json object; `source` (a file path) names it in errors. */
export function parseHfClipConfig(raw: unknown, source: string): HfClipArchitecture {
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(top level)'}: ${i.message}`);
    throw new HfConfigError(`${source} is not a usable CLIP config.json:\n  ${lines.join('\n  ')}`);
  }
  const c = parsed.data;
  if (c.model_type !== undefined && c.model_type !== 'clip') {
    throw new HfConfigError(`${source} has model_type "${c.model_type}"; only transformers CLIPModel checkpoints (model_type "clip") map onto this engine's CLIP`);
  }
  const t = effective(TEXT_DEFAULTS, c.text_config, c.text_config_dict);
  const v = effective(VISION_DEFAULTS, c.vision_config, c.vision_config_dict);
  const problems: string[] = [];
  const activation = activationOf(t.hidden_act, v.hidden_act, problems);
  for (const [where, eps] of [['text_config', t.layer_norm_eps], ['vision_config', v.layer_norm_eps]] as const) {
    if (Math.abs(eps - 1e-5) > 1e-12) problems.push(`${where}.layer_norm_eps is ${eps}; this engine's LayerNorm uses 1e-5`);
  }
  if (v.num_channels !== 3) problems.push(`vision_config.num_channels is ${v.num_channels}; only RGB (3) is supported`);
  if (v.image_size % v.patch_size !== 0) problems.push(`vision_config.image_size ${v.image_size} is not a multiple of patch_size ${v.patch_size}`);
  if (v.hidden_size % v.num_attention_heads !== 0) problems.push(`vision_config.hidden_size ${v.hidden_size} is not divisible by num_attention_heads ${v.num_attention_heads}`);
  if (t.hidden_size % t.num_attention_heads !== 0) problems.push(`text_config.hidden_size ${t.hidden_size} is not divisible by num_attention_heads ${t.num_attention_heads}`);
  if (problems.length > 0) throw new HfConfigError(`${source}:\n  ${problems.join('\n  ')}`);

  const cfg: ClipConfig = {
    name: source,
    embedDim: c.projection_dim ?? DEFAULT_PROJECTION_DIM,
    quickGelu: activation === 'quick_gelu',
    initLogitScale: DEFAULT_INIT_LOGIT_SCALE,
    vision: {
      imageSize: v.image_size,
      patchSize: v.patch_size,
      gridSize: v.image_size / v.patch_size,
      width: v.hidden_size,
      layers: v.num_hidden_layers,
      heads: v.num_attention_heads,
      headWidth: v.hidden_size / v.num_attention_heads,
      mlpWidth: v.intermediate_size,
    },
    text: {
      contextLength: t.max_position_embeddings,
      vocabSize: t.vocab_size,
      width: t.hidden_size,
      heads: t.num_attention_heads,
      layers: t.num_hidden_layers,
      mlpWidth: t.intermediate_size,
    },
  };
  return { cfg, activation };
}

export function readHfClipConfig(file: string): HfClipArchitecture {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new HfConfigError(`${file} cannot be read as JSON (${err instanceof SyntaxError ? jsonSyntaxProblem(err) : (err as Error).message})`);
  }
  return parseHfClipConfig(raw, file);
}
