/**
 * What `--distill-pretrained` names, resolved to files on disk (nothing is read beyond small JSON files):
 *
 *   openai                 the pulled openai/clip-vit-base-patch32 (<dataDir>/models/openai/clip-vit-base-patch32)
 *   <org>/<name>           a model pulled with `clipwb models pull <org>/<name>`
 *   a folder               a model folder (weights + config.json / open_clip_config.json + tokenizer files),
 *                          or a run / checkpoints folder of this engine (its newest checkpoint)
 *   <tag>.json             a checkpoint sidecar of this engine
 *   *.safetensors          a checkpoint's weights (sidecar beside it), or bare weights in open_clip or
 *                          transformers layout (the layout is read from the tensor names later)
 *
 * .pt / .pth / .bin / .ckpt files are refused with a conversion recipe.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CHECKPOINT_FORMAT, resolveCheckpoint } from '../io/checkpoint';
import { asPretrainedError, notPulledError, OPENAI_REPO, pretrainedError } from './errors';

/** The pull manifest's name; src-main/models/manifest.ts writes it (the worker does not import main-process code). */
export const PULL_MANIFEST_NAME = 'clipwb-model.json';

const PICKLE = /\.(pt|pth|bin|ckpt|pkl)$/i;
const REPO_ID = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;
/** Weight files a model folder may hold, by preference (as `clipwb models pull` chooses them). */
const FOLDER_WEIGHTS = ['open_clip_model.safetensors', 'model.safetensors'];

export interface CheckpointInfo {
  sidecarFile: string;
  /** Config name the checkpoint was trained with. */
  model: string;
  /** open_clip config JSON of the checkpoint. */
  modelConfig: unknown;
  /** Byte size of the weights the sidecar promises. */
  weightsBytes: number;
  /** --vocab the run used, when it named one. */
  vocab: string | null;
}

export interface ResolvedSource {
  kind: 'pulled' | 'folder' | 'checkpoint' | 'file';
  /** For logs: what was given and where it led. */
  label: string;
  weightsFile: string;
  /** transformers config.json beside the weights. */
  hfConfigFile: string | null;
  /** open_clip_config.json beside the weights. */
  openClipConfigFile: string | null;
  checkpoint: CheckpointInfo | null;
  /** Tokenizer files that came with the weights (a folder or a .txt.gz for ClipTokenizer.load). */
  tokenizer: string | null;
}

const isDir = (p: string): boolean => fs.existsSync(p) && fs.statSync(p).isDirectory();
const isFile = (p: string): boolean => fs.existsSync(p) && fs.statSync(p).isFile();
const fileIn = (dir: string, name: string): string | null => (isFile(path.join(dir, name)) ? path.join(dir, name) : null);

/**
 * vocab.json + merges.txt, or a single CLIP merges file (*bpe*.txt.gz / *vocab*.txt.gz, such as
 * bpe_simple_vocab_16e6.txt.gz), in `dir`. Other .txt.gz files (captions, say) are not tokenizers.
 */
export function tokenizerFilesIn(dir: string): string | null {
  if (fileIn(dir, 'vocab.json') && fileIn(dir, 'merges.txt')) return dir;
  const gz = fs.readdirSync(dir).filter((n) => n.endsWith('.txt.gz') && /bpe|vocab/i.test(n));
  return gz.length === 1 ? path.join(dir, gz[0]!) : null;
}

function modelFolder(dir: string, weightsFile: string, kind: ResolvedSource['kind'], label: string): ResolvedSource {
  return {
    kind,
    label,
    weightsFile,
    hfConfigFile: fileIn(dir, 'config.json'),
    openClipConfigFile: fileIn(dir, 'open_clip_config.json'),
    checkpoint: null,
    tokenizer: tokenizerFilesIn(dir),
  };
}

const manifestSchema = z.looseObject({
  weights: z.object({ file: z.string().min(1), format: z.string() }),
  files: z.array(z.object({ path: z.string().min(1), size: z.number().int().nonnegative() })),
});

function pulledModel(repo: string, dataDir: string, given: string): ResolvedSource {
  const [org, name] = repo.split('/') as [string, string];
  const dir = path.join(dataDir, 'models', org, name);
  if (!isDir(dir)) throw notPulledError(repo, dir, given);
  const again = `Run \`clipwb models pull ${repo}\` again (it resumes and re-checks the files)`;
  const manifestFile = path.join(dir, PULL_MANIFEST_NAME);
  if (!isFile(manifestFile)) throw pretrainedError(`the pull of ${repo} did not finish: ${manifestFile} is missing`, again);
  let manifest: z.infer<typeof manifestSchema>;
  try {
    manifest = manifestSchema.parse(JSON.parse(fs.readFileSync(manifestFile, 'utf8')));
  } catch (err) {
    throw asPretrainedError(err, `${manifestFile} is not a valid pull manifest`, again);
  }
  for (const f of manifest.files) {
    const p = path.join(dir, f.path);
    const size = isFile(p) ? fs.statSync(p).size : null;
    if (size === null) throw pretrainedError(`${p} is missing from the pulled ${repo}`, again);
    if (size !== f.size) throw pretrainedError(`${p} has ${size} bytes, the pull manifest says ${f.size}; the file is incomplete or was modified`, again);
  }
  const label = `${given === repo ? repo : `${given} (${repo})`}, pulled, ${path.join(dir, manifest.weights.file)}`;
  return modelFolder(dir, path.join(dir, manifest.weights.file), 'pulled', label);
}

const sidecarSchema = z.looseObject({
  format: z.literal(CHECKPOINT_FORMAT),
  model: z.string(),
  modelConfig: z.record(z.string(), z.unknown()),
  trainConfig: z.looseObject({ vocab: z.string().nullable().optional() }),
  files: z.looseObject({ weights: z.object({ file: z.string(), bytes: z.number().int().nonnegative() }) }),
});

function checkpointSource(p: string, given: string): ResolvedSource {
  let resolved: { sidecar: string | null; weights: string };
  try {
    resolved = resolveCheckpoint(p);
  } catch (err) {
    throw asPretrainedError(err, `checkpoint ${given}`, 'Give a checkpoint sidecar (.json), its .safetensors weights or a run folder');
  }
  if (resolved.sidecar === null) return bareWeights(resolved.weights, given);
  let info: z.infer<typeof sidecarSchema>;
  try {
    const raw: unknown = JSON.parse(fs.readFileSync(resolved.sidecar, 'utf8'));
    // Some other tool's JSON that happens to share the weights' base name: the weights are bare.
    const format = typeof raw === 'object' && raw !== null ? (raw as { format?: unknown }).format : undefined;
    if (format !== CHECKPOINT_FORMAT && resolved.weights === given) return bareWeights(resolved.weights, given);
    info = sidecarSchema.parse(raw);
  } catch (err) {
    throw asPretrainedError(err, `${resolved.sidecar} is not a readable checkpoint sidecar`, 'Give a checkpoint written by this workbench, or its bare .safetensors weights');
  }
  if (!isFile(resolved.weights)) throw pretrainedError(`${resolved.weights} (the weights of ${resolved.sidecar}) is missing`, 'Give a complete checkpoint');
  const vocab = info.trainConfig.vocab ?? null;
  return {
    kind: 'checkpoint',
    label: `checkpoint ${resolved.sidecar}`,
    weightsFile: resolved.weights,
    hfConfigFile: null,
    openClipConfigFile: null,
    checkpoint: { sidecarFile: resolved.sidecar, model: info.model, modelConfig: info.modelConfig, weightsBytes: info.files.weights.bytes, vocab },
    // A run's tokenizer is whatever --vocab named, if it is still there.
    tokenizer: vocab !== null && fs.existsSync(vocab) ? vocab : null,
  };
}

function bareWeights(file: string, given: string): ResolvedSource {
  const dir = path.dirname(file);
  return modelFolder(dir, file, 'file', `${given === file ? file : `${given} (${file})`}`);
}

function folderSource(dir: string, given: string, dataDir: string): ResolvedSource {
  if (isFile(path.join(dir, PULL_MANIFEST_NAME))) {
    const rel = path.relative(path.join(dataDir, 'models'), dir).split(path.sep);
    if (rel.length === 2 && !rel[0]!.startsWith('..')) return pulledModel(rel.join('/'), dataDir, given);
  }
  for (const name of FOLDER_WEIGHTS) {
    const f = fileIn(dir, name);
    if (f) return modelFolder(dir, f, 'folder', `folder ${dir} (${name})`);
  }
  const names = fs.readdirSync(dir);
  if (names.some((n) => n.endsWith('.json')) || isDir(path.join(dir, 'checkpoints'))) {
    try {
      return checkpointSource(dir, given);
    } catch {
      // Not a checkpoint folder either: fall through to the messages below.
    }
  }
  const weights = names.filter((n) => n.endsWith('.safetensors') && !n.endsWith('.state.safetensors'));
  if (weights.length === 1) return bareWeights(path.join(dir, weights[0]!), given);
  // A torch.save checkpoint (.pt) is read with the restricted unpickler (src-worker/io/torch-pickle.ts).
  const pickles = names.filter((n) => PICKLE.test(n));
  if (weights.length === 0 && pickles.length === 1) return bareWeights(path.join(dir, pickles[0]!), given);
  throw pretrainedError(
    weights.length > 1
      ? `folder ${dir} holds several .safetensors files (${weights.join(', ')}) and no checkpoint sidecar says which to use`
      : pickles.length > 1
        ? `folder ${dir} holds several PyTorch files (${pickles.join(', ')}) and nothing says which to use`
        : `folder ${dir} holds no weights (open_clip_model.safetensors, model.safetensors, a checkpoint, one .safetensors or one .pt file)`,
    'Give the weights file itself',
  );
}

/** Resolves --distill-pretrained; `dataDir` holds pulled models under models/<org>/<name>. */
export function resolveReferenceSource(pretrained: string, dataDir: string): ResolvedSource {
  const given = pretrained.trim();
  if (given.length === 0) throw pretrainedError('is empty', "Give 'openai', a pulled model (org/name), a folder, a checkpoint or a .safetensors file");
  if (given === 'openai') return pulledModel(OPENAI_REPO, dataDir, given);
  if (PICKLE.test(given) && isFile(given)) return bareWeights(given, given);
  if (REPO_ID.test(given) && isDir(path.join(dataDir, 'models', ...given.split('/')))) return pulledModel(given, dataDir, given);
  if (!fs.existsSync(given)) {
    if (REPO_ID.test(given) && !given.endsWith('.safetensors') && !given.endsWith('.json') && !PICKLE.test(given)) {
      throw notPulledError(given, path.join(dataDir, 'models', ...given.split('/')), given);
    }
    throw pretrainedError(`${given}: no such file or folder`, "Give 'openai', a pulled model (org/name), a folder, a checkpoint (.json), a .safetensors or a PyTorch .pt file");
  }
  if (isDir(given)) return folderSource(given, given, dataDir);
  if (given.endsWith('.json')) {
    if (['config.json', 'open_clip_config.json'].includes(path.basename(given))) return folderSource(path.dirname(given), given, dataDir);
    return checkpointSource(given, given);
  }
  if (given.endsWith('.state.safetensors')) {
    throw pretrainedError(`${given} holds optimiser state, not weights`, 'Give the checkpoint sidecar (.json) or its weights (.safetensors)');
  }
  if (given.endsWith('.safetensors')) return checkpointSource(given, given);
  throw pretrainedError(`${given} is neither a .safetensors file, a PyTorch .pt file, a checkpoint sidecar (.json) nor a folder`, 'Give weights as safetensors or torch.save .pt (open_clip or transformers names)');
}
