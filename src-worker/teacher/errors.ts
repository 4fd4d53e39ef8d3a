/**
 * Errors for the reference model. They are the training config's ConfigError, so the CLI and the UI show
 * them as a bad flag (field, problem, fix) rather than as a crash.
 */
import { ConfigError } from '../../src-shared/config/train-config';

export const PRETRAINED_FIELD = 'distill-pretrained';
export const MODEL_FIELD = 'distill-model';
export const VOCAB_FIELD = 'vocab';

export const OPENAI_REPO = 'openai/clip-vit-base-patch32';

export function pretrainedError(message: string, fix?: string): ConfigError {
  return new ConfigError(PRETRAINED_FIELD, message, fix);
}

export function modelError(message: string, fix?: string): ConfigError {
  return new ConfigError(MODEL_FIELD, message, fix);
}

export function vocabError(message: string, fix?: string): ConfigError {
  return new ConfigError(VOCAB_FIELD, message, fix);
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
