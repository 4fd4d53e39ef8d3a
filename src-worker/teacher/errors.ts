/**
 * Errors for the reference model. They are the training config's ConfigError, so the CLI and the UI show
 * them as a bad flag (field, problem, fix) rather than as a crash.
 */
import { ConfigError } from '../train/config';

export const PRETRAINED_FIELD = 'distill-pretrained';
export const MODEL_FIELD = 'distill-model';
export const VOCAB_FIELD = 'vocab';

export const OPENAI_REPO = 'openai/clip-vit-base-patch32';

/** Five lines of Python that turn a PyTorch state dict (.pt/.bin) into the safetensors file we read. */
export function ptToSafetensors(file: string): string {
  const out = file.replace(/\.(pt|pth|bin|ckpt|pkl)$/i, '') + '.safetensors';
  return [
    "python - <<'EOF'",
    'import torch; from safetensors.torch import save_file',
    `ckpt = torch.load(${JSON.stringify(file)}, map_location="cpu", weights_only=False)`,
    'sd = ckpt.get("state_dict", ckpt)',
    `save_file({k.removeprefix("module."): v.float().clone().contiguous() for k, v in sd.items() if v.is_floating_point()}, ${JSON.stringify(out)})`,
    'EOF',
  ].join('\n');
}

const PT_NOTE =
  '(an OpenAI JIT archive such as ViT-B-32.pt needs `sd = torch.jit.load(...).state_dict()` in place of the ckpt/sd lines; ' +
  'for the OpenAI teacher, `clipwb models pull openai/clip-vit-base-patch32` and --distill-pretrained openai avoid the conversion)';

export function pretrainedError(message: string, fix?: string): ConfigError {
  return new ConfigError(PRETRAINED_FIELD, message, fix);
}

export function modelError(message: string, fix?: string): ConfigError {
  return new ConfigError(MODEL_FIELD, message, fix);
}

export function vocabError(message: string, fix?: string): ConfigError {
  return new ConfigError(VOCAB_FIELD, message, fix);
}

export function pickleError(file: string): ConfigError {
  return pretrainedError(
    `${file} is a PyTorch pickle (.pt/.pth/.bin/.ckpt); this workbench reads weights only as safetensors (pickles can run code when loaded)`,
    `Convert it once with PyTorch installed:\n${ptToSafetensors(file)}\n${PT_NOTE}; then pass the .safetensors file`,
  );
}

export function notPulledError(repo: string, dir: string, given: string): ConfigError {
  const alias = given === repo ? '' : ` ("${given}" means ${repo})`;
  return pretrainedError(`${repo}${alias} is not pulled: ${dir} does not exist`, `Run \`clipwb models pull ${repo}\` first`);
}

const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Rewrites an error from a reader (safetensors, state dict, vocabulary) as a flag error naming the file. */
export function asPretrainedError(err: unknown, what: string, fix: string): ConfigError {
  if (err instanceof ConfigError) return err;
  return pretrainedError(`${what}: ${describe(err)}`, fix);
}
