/**
 * Which files of a hub repository make a usable model for us. Weights, by preference:
 * `open_clip_model.safetensors` (open_clip parameter names = our engine's layout), then
 * `model.safetensors` (Hugging Face transformers names, e.g. openai/clip-vit-base-patch32; the loader
 * maps names), then `open_clip_pytorch_model.bin` (a pickle: only where no safetensors exists).
 * Plus the configuration and tokenizer files that are present.
 */
import type { HubFileEntry } from '../downloads/sources/hf-hub';
import type { WeightsFormat } from './manifest';

const WEIGHTS: { file: string; format: WeightsFormat }[] = [
  { file: 'open_clip_model.safetensors', format: 'open_clip-safetensors' },
  { file: 'model.safetensors', format: 'hf-transformers-safetensors' },
  { file: 'open_clip_pytorch_model.bin', format: 'open_clip-pytorch-bin' },
];

export const MODEL_SIDE_FILES = [
  'open_clip_config.json',
  'config.json',
  'vocab.json',
  'merges.txt',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'preprocessor_config.json',
  'bpe_simple_vocab_16e6.txt.gz',
];

export interface ModelFileChoice {
  weights: { file: HubFileEntry; format: WeightsFormat };
  files: HubFileEntry[];
}

export function chooseModelFiles(repo: string, listing: HubFileEntry[]): ModelFileChoice {
  const byPath = new Map(listing.map((f) => [f.path, f]));
  const weights = WEIGHTS.map((w) => ({ entry: byPath.get(w.file), format: w.format })).find((w) => w.entry !== undefined);
  if (!weights?.entry) {
    const present = listing.map((f) => f.path).filter((p) => /\.(safetensors|bin|pt|pth|h5|msgpack)$/.test(p));
    throw new Error(
      `${repo} has none of ${WEIGHTS.map((w) => w.file).join(', ')} at its top level${present.length > 0 ? ` (it has ${present.join(', ')})` : ''}; pick a repository with open_clip or safetensors weights.`,
    );
  }
  const side = MODEL_SIDE_FILES.map((f) => byPath.get(f)).filter((f): f is HubFileEntry => f !== undefined);
  if (!side.some((f) => f.path === 'config.json' || f.path === 'open_clip_config.json')) {
    throw new Error(`${repo} has no config.json or open_clip_config.json, so the architecture is unknown.`);
  }
  return { weights: { file: weights.entry, format: weights.format }, files: [weights.entry, ...side] };
}
