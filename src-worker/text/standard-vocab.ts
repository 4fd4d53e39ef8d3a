/**
 * The standard CLIP vocabulary (OpenAI's bpe_simple_vocab_16e6.txt.gz, MIT), shipped in resources/vocab.
 * It is the default tokenizer of every model whose text tower has vocab_size 49,408.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { VocabularyError } from './vocabulary';
import { ConfigError } from '../../src-shared/config/train-config';

export const STANDARD_VOCAB_FILE = 'bpe_simple_vocab_16e6.txt.gz';
/** 512 byte symbols + 48,894 merges + 2 specials. */
export const STANDARD_VOCAB_SIZE = 49408;

/**
 * Where the shipped file is: $CLIPWB_STANDARD_VOCAB, else the first `resources/vocab/<file>` found walking
 * up from this module (the source tree and a bundled build alike), else a packaged Electron app's
 * resources folder. Does not depend on the current directory.
 */
export function standardVocabularyPath(): string {
  const fromEnv = process.env.CLIPWB_STANDARD_VOCAB;
  if (fromEnv) {
    if (!fs.existsSync(fromEnv)) throw new VocabularyError(fromEnv, `(from CLIPWB_STANDARD_VOCAB) does not exist; point it at ${STANDARD_VOCAB_FILE} or unset it`);
    return fromEnv;
  }
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'resources', 'vocab', STANDARD_VOCAB_FILE);
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  const packaged = (process as { resourcesPath?: string }).resourcesPath;
  const inPackage = packaged ? path.join(packaged, 'vocab', STANDARD_VOCAB_FILE) : null;
  if (inPackage && fs.existsSync(inPackage)) return inPackage;
  throw new VocabularyError(`resources/vocab/${STANDARD_VOCAB_FILE}`,
    'the standard CLIP vocabulary shipped with the workbench was not found; reinstall, or set CLIPWB_STANDARD_VOCAB to a copy of the file');
}

/**
 * The error for a run with no --vocab, no built-in dataset's vocabulary and a model whose vocab_size is
 * not the standard one: nothing to default to. Raised by the run pre-flight, and by set-up as a guard.
 */
export function noDefaultVocabularyError(model: { name: string; text: { vocabSize: number } }): ConfigError {
  return new ConfigError('vocab', `no tokenizer vocabulary given, and ${model.name} (vocab_size ${model.text.vocabSize}) has no default: ` +
    `the standard CLIP vocabulary is the default only for vocab_size ${STANDARD_VOCAB_SIZE}`,
  `Pass --vocab with a vocabulary of at most ${model.text.vocabSize} ids (a *.txt.gz merges file, or a folder holding vocab.json + merges.txt), ` +
    'e.g. one trained for the built-in dataset, or choose a model with vocab_size 49408 to use the standard one');
}
