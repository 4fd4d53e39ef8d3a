/**
 * Which files of a hub repository make a usable model for us. Weights, by preference:
 * `open_clip_model.safetensors` (open_clip parameter names = our engine's layout), then
 * `model.safetensors` (Hugging Face transformers names, e.g. openai/clip-vit-base-patch32; the loader
 * maps names), then `open_clip_pytorch_model.bin` (a pickle: only where no safetensors exists).
 * Plus the configuration and tokenizer files that are present.
 */
import type { HubFileEntry } from '../downloads/sources/hf-hub';
import type { WeightsFormat } from './manifest';
import { WorkbenchError } from '../../src-shared/errors';

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

const TORCH_FILE = /\.(pt|pth)$/i;

/**
 * With `file`, that weights file is taken (any path in the repository: a repo of training checkpoints
 * holds several). Otherwise the preferred names above, then a repository's only PyTorch .pt file.
 */
export function chooseModelFiles(repo: string, listing: HubFileEntry[], options: { file?: string } = {}): ModelFileChoice {
  const byPath = new Map(listing.map((f) => [f.path, f]));
  const side = MODEL_SIDE_FILES.map((f) => byPath.get(f)).filter((f): f is HubFileEntry => f !== undefined);
  const pts = listing.filter((f) => TORCH_FILE.test(f.path)).map((f) => f.path);
  if (options.file !== undefined) {
    const entry = byPath.get(options.file);
    if (!entry) throw new WorkbenchError(`${repo} has no file ${options.file}${pts.length > 0 ? ` (its PyTorch files: ${pts.join(', ')})` : ''}.`, { kind: 'not-found', field: 'file' });
    const format = formatOfName(entry.path);
    if (!format) throw new WorkbenchError(`${options.file} is not a weights file (.safetensors, .pt, .pth or .bin).`, { kind: 'invalid', field: 'file' });
    return { weights: { file: entry, format }, files: [entry, ...side] };
  }
  const weights = WEIGHTS.map((w) => ({ entry: byPath.get(w.file), format: w.format })).find((w) => w.entry !== undefined);
  if (!weights?.entry) {
    // A repository of torch.save checkpoints (the reference paper's code publishes its models so): its one .pt, or --file.
    if (pts.length === 1) {
      const entry = byPath.get(pts[0]!)!;
      return { weights: { file: entry, format: 'torch-pt' }, files: [entry, ...side] };
    }
    if (pts.length > 1) throw new WorkbenchError(`${repo} holds several PyTorch checkpoints (${pts.join(', ')}); choose one with --file <path>.`, { kind: 'invalid', field: 'file' });
    const present = listing.map((f) => f.path).filter((p) => /\.(safetensors|bin|pt|pth|h5|msgpack)$/.test(p));
    throw new WorkbenchError(
      `${repo} has none of ${WEIGHTS.map((w) => w.file).join(', ')} at its top level, and no .pt file${present.length > 0 ? ` (it has ${present.join(', ')}; choose one with --file <path>)` : ''}; pick a repository with open_clip, safetensors or PyTorch .pt weights.`,
      { kind: 'not-found', field: 'repo' },
    );
  }
  if (!side.some((f) => f.path === 'config.json' || f.path === 'open_clip_config.json')) {
    throw new WorkbenchError(`${repo} has no config.json or open_clip_config.json, so the architecture is unknown.`, { kind: 'invalid', field: 'repo' });
  }
  return { weights: { file: weights.entry, format: weights.format }, files: [weights.entry, ...side] };
}

function formatOfName(p: string): WeightsFormat | null {
  const known = WEIGHTS.find((w) => w.file === p);
  if (known) return known.format;
  if (TORCH_FILE.test(p) || p.endsWith('.bin')) return 'torch-pt';
  if (p.endsWith('.safetensors')) return 'open_clip-safetensors';
  return null;
}
