/**
 * CLIP model configs in open_clip's JSON format (`embed_dim`, `quick_gelu`, `vision_cfg`, `text_cfg`),
 * validated and resolved into the sizes the model code needs.
 *
 * Only what our CLIP builds is accepted. open_clip keys that would change the architecture in ways we do
 * not implement (layer scale, attentional pooling, HF/timm towers, SigLIP bias...) are rejected by name
 * rather than silently ignored, so a config never trains a different model than it describes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { jsonSyntaxProblem } from '../io/json-error';
import { WorkbenchError, type WorkbenchErrorOptions } from '../../src-shared/errors';

export interface VisionTowerConfig {
  imageSize: number;
  patchSize: number;
  /** imageSize / patchSize: patches per side. */
  gridSize: number;
  width: number;
  layers: number;
  heads: number;
  headWidth: number;
  /** Hidden width of each MLP: width * mlp_ratio. */
  mlpWidth: number;
}

export interface TextTowerConfig {
  contextLength: number;
  vocabSize: number;
  width: number;
  heads: number;
  layers: number;
  mlpWidth: number;
}

export interface ClipConfig {
  /** Config name (file name without .json) or the path it was read from. */
  name: string;
  embedDim: number;
  /** QuickGELU x·σ(1.702x) (OpenAI weights) instead of exact erf GELU. */
  quickGelu: boolean;
  /** Initial value of the `logit_scale` parameter θ (scale = exp θ). */
  initLogitScale: number;
  vision: VisionTowerConfig;
  text: TextTowerConfig;
}

/** open_clip's default: ln(1/0.07). */
export const DEFAULT_INIT_LOGIT_SCALE = Math.log(1 / 0.07);

const positiveInt = z.number().int().positive();
const nullOnly = z.null().optional();

const visionSchema = z.strictObject({
  image_size: z.union([positiveInt, z.tuple([positiveInt, positiveInt])]).default(224),
  patch_size: positiveInt.default(16),
  width: positiveInt.default(768),
  layers: positiveInt.default(12),
  head_width: positiveInt.default(64),
  mlp_ratio: z.number().positive().default(4.0),
  ls_init_value: nullOnly,
  patch_dropout: z.literal(0).optional(),
});

const textSchema = z.strictObject({
  context_length: positiveInt.default(77),
  vocab_size: positiveInt.default(49408),
  width: positiveInt.default(512),
  heads: positiveInt.default(8),
  layers: positiveInt.default(12),
  mlp_ratio: z.number().positive().default(4.0),
  ls_init_value: nullOnly,
});

const configSchema = z.strictObject({
  embed_dim: positiveInt,
  quick_gelu: z.boolean().default(false),
  init_logit_scale: z.number().finite().optional(),
  // Harmless open_clip keys: `custom_text` selects a Python class with the same parameters for our purposes,
  // `cast_dtype` a precision we do not use.
  custom_text: z.boolean().optional(),
  cast_dtype: z.string().nullable().optional(),
  vision_cfg: visionSchema,
  text_cfg: textSchema,
});

export type OpenClipConfigJson = z.input<typeof configSchema>;

export class ModelConfigError extends WorkbenchError {
  override name = 'ModelConfigError';
  constructor(message: string, options: WorkbenchErrorOptions = {}) {
    super(message, { kind: 'invalid', ...options });
  }
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.map(String).join('.') || '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => (field === '(top level)' ? k : `${field}.${k}`));
    return `${keys.join(', ')}: not supported by this workbench's CLIP (remove the key, or use a config without it)`;
  }
  return `${field}: ${issue.message}`;
}

/** Validates a parsed open_clip config object; `source` names it in errors (a file path or config name). */
export function parseModelConfig(raw: unknown, source: string): ClipConfig {
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(describeIssue);
    throw new ModelConfigError(`model config ${source} is invalid:\n  ${lines.join('\n  ')}`);
  }
  const c = parsed.data;
  const v = c.vision_cfg;
  const t = c.text_cfg;
  const problems: string[] = [];
  const imageSize = typeof v.image_size === 'number' ? v.image_size : v.image_size[0];
  if (Array.isArray(v.image_size) && v.image_size[0] !== v.image_size[1]) {
    problems.push(`vision_cfg.image_size: only square images are supported, got [${v.image_size.join(', ')}]`);
  }
  if (imageSize % v.patch_size !== 0) {
    problems.push(`vision_cfg.image_size: ${imageSize} is not a multiple of vision_cfg.patch_size ${v.patch_size}`);
  }
  if (v.width % v.head_width !== 0) {
    problems.push(`vision_cfg.head_width: width ${v.width} is not a multiple of head_width ${v.head_width}`);
  }
  if (t.width % t.heads !== 0) {
    problems.push(`text_cfg.heads: width ${t.width} is not divisible by ${t.heads} heads`);
  }
  const visionMlp = v.width * v.mlp_ratio;
  const textMlp = t.width * t.mlp_ratio;
  if (!Number.isInteger(visionMlp)) problems.push(`vision_cfg.mlp_ratio: width × mlp_ratio = ${visionMlp} is not a whole number`);
  if (!Number.isInteger(textMlp)) problems.push(`text_cfg.mlp_ratio: width × mlp_ratio = ${textMlp} is not a whole number`);
  if (problems.length > 0) throw new ModelConfigError(`model config ${source} is invalid:\n  ${problems.join('\n  ')}`);

  return {
    name: source,
    embedDim: c.embed_dim,
    quickGelu: c.quick_gelu,
    initLogitScale: c.init_logit_scale ?? DEFAULT_INIT_LOGIT_SCALE,
    vision: {
      imageSize,
      patchSize: v.patch_size,
      gridSize: imageSize / v.patch_size,
      width: v.width,
      layers: v.layers,
      heads: v.width / v.head_width,
      headWidth: v.head_width,
      mlpWidth: visionMlp,
    },
    text: {
      contextLength: t.context_length,
      vocabSize: t.vocab_size,
      width: t.width,
      heads: t.heads,
      layers: t.layers,
      mlpWidth: textMlp,
    },
  };
}

/** The config back in open_clip's JSON format (for checkpoint sidecars and export to open_clip). */
export function toOpenClipJson(cfg: ClipConfig): OpenClipConfigJson {
  const out: OpenClipConfigJson = {
    embed_dim: cfg.embedDim,
    vision_cfg: {
      image_size: cfg.vision.imageSize,
      layers: cfg.vision.layers,
      width: cfg.vision.width,
      head_width: cfg.vision.headWidth,
      mlp_ratio: cfg.vision.mlpWidth / cfg.vision.width,
      patch_size: cfg.vision.patchSize,
    },
    text_cfg: {
      context_length: cfg.text.contextLength,
      vocab_size: cfg.text.vocabSize,
      width: cfg.text.width,
      heads: cfg.text.heads,
      layers: cfg.text.layers,
      mlp_ratio: cfg.text.mlpWidth / cfg.text.width,
    },
  };
  if (cfg.quickGelu) out.quick_gelu = true;
  if (cfg.initLogitScale !== DEFAULT_INIT_LOGIT_SCALE) out.init_logit_scale = cfg.initLogitScale;
  return out;
}

function hasConfigs(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Where the bundled configs live: $CLIPWB_MODEL_CONFIG_DIR, else the first `resources/model_configs` found
 * walking up from this module (works from the source tree and from a bundled build), else next to a
 * packaged Electron app's resources.
 */
export function defaultModelConfigDir(): string {
  const fromEnv = process.env.CLIPWB_MODEL_CONFIG_DIR;
  if (fromEnv) return fromEnv;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'resources', 'model_configs');
    if (hasConfigs(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  const packaged = (process as { resourcesPath?: string }).resourcesPath;
  if (packaged && hasConfigs(path.join(packaged, 'model_configs'))) return path.join(packaged, 'model_configs');
  throw new ModelConfigError('model configs folder resources/model_configs not found; set CLIPWB_MODEL_CONFIG_DIR to its path');
}

/** Names of the configs in `dir` (file names without .json), sorted. */
export function listModelConfigNames(dir: string = defaultModelConfigDir()): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

function looksLikePath(nameOrPath: string): boolean {
  return nameOrPath.endsWith('.json') || nameOrPath.includes('/') || nameOrPath.includes(path.sep);
}

function readJson(file: string, label: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ModelConfigError(`model config ${label}: cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ModelConfigError(`model config ${label}: ${file} is not valid JSON (${jsonSyntaxProblem(err)}); give a model name (clipwb train --help lists them) or an open_clip model config JSON file`);
  }
}

/**
 * Loads a config by name (`ViT-B-16`, `clip-tiny-p7-28`, ...) from the bundled folder, or from a path to a
 * JSON file in open_clip's format.
 */
export function loadModelConfig(nameOrPath: string, dir?: string): ClipConfig {
  if (looksLikePath(nameOrPath)) {
    return parseModelConfig(readJson(nameOrPath, nameOrPath), nameOrPath);
  }
  const folder = dir ?? defaultModelConfigDir();
  const names = listModelConfigNames(folder);
  if (!names.includes(nameOrPath)) {
    throw new ModelConfigError(
      `model config "${nameOrPath}" is unknown. Available: ${names.join(', ')}; or give the path to a JSON file in open_clip's format`,
    );
  }
  return parseModelConfig(readJson(path.join(folder, `${nameOrPath}.json`), nameOrPath), nameOrPath);
}
