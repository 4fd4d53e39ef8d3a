/**
 * Architecture agreement: between the named --distill-model config and what the weights' own config
 * declares, and between teacher and student where the reference paper's code feeds one the other's inputs and features.
 */
import type { ClipConfig } from '../model/config';

interface Field {
  /** open_clip config key. */
  key: string;
  /** Hugging Face config.json key, for messages about HF configs. */
  hfKey: string;
  get: (c: ClipConfig) => number;
}

const FIELDS: readonly Field[] = [
  { key: 'embed_dim', hfKey: 'projection_dim', get: (c) => c.embedDim },
  { key: 'vision_cfg.image_size', hfKey: 'vision_config.image_size', get: (c) => c.vision.imageSize },
  { key: 'vision_cfg.patch_size', hfKey: 'vision_config.patch_size', get: (c) => c.vision.patchSize },
  { key: 'vision_cfg.width', hfKey: 'vision_config.hidden_size', get: (c) => c.vision.width },
  { key: 'vision_cfg.layers', hfKey: 'vision_config.num_hidden_layers', get: (c) => c.vision.layers },
  { key: 'vision heads (width / head_width)', hfKey: 'vision_config.num_attention_heads', get: (c) => c.vision.heads },
  { key: 'vision MLP width (width × mlp_ratio)', hfKey: 'vision_config.intermediate_size', get: (c) => c.vision.mlpWidth },
  { key: 'text_cfg.context_length', hfKey: 'text_config.max_position_embeddings', get: (c) => c.text.contextLength },
  { key: 'text_cfg.vocab_size', hfKey: 'text_config.vocab_size', get: (c) => c.text.vocabSize },
  { key: 'text_cfg.width', hfKey: 'text_config.hidden_size', get: (c) => c.text.width },
  { key: 'text_cfg.layers', hfKey: 'text_config.num_hidden_layers', get: (c) => c.text.layers },
  { key: 'text_cfg.heads', hfKey: 'text_config.num_attention_heads', get: (c) => c.text.heads },
  { key: 'text MLP width (width × mlp_ratio)', hfKey: 'text_config.intermediate_size', get: (c) => c.text.mlpWidth },
];

/**
 * Differences between the named config and the one declared with the weights, one line each
 * (activation and initial logit scale excluded: the teacher takes its activation from the weights'
 * config, and its logit scale from the weights).
 */
export function architectureDifferences(named: ClipConfig, declared: ClipConfig, declaredIsHf: boolean): string[] {
  const out: string[] = [];
  for (const f of FIELDS) {
    const a = f.get(named);
    const b = f.get(declared);
    if (a !== b) out.push(`${f.key}${declaredIsHf ? ` (${f.hfKey})` : ''}: ${named.name} has ${a}, ${declared.name} has ${b}`);
  }
  return out;
}

/** The architecture with the activation of the weights: open_clip's `pretrained='openai'` path does the same. */
export function teacherConfig(named: ClipConfig, quickGelu: boolean): ClipConfig {
  return { ...named, quickGelu };
}
