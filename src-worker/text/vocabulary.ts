/**
 * A CLIP BPE vocabulary as data: the merge rules and the id of every token.
 *
 * Ids follow open_clip's layout, which both file forms share: 256 byte symbols, the same 256 with the
 * end-of-word mark, one token per merge in merge order, then start-of-text and end-of-text. So the
 * end-of-text id is always the largest, which the text tower relies on (it pools at argmax of the ids).
 */
import { BYTE_OF_SYMBOL, BYTE_SYMBOLS, END_OF_WORD } from './byte-symbols';
import { END_OF_TEXT, START_OF_TEXT } from './pre-tokenize';
import { WorkbenchError } from '../../src-shared/errors';

export type MergeRule = readonly [string, string];

export interface BpeVocabulary {
  /** Merge rules in rank order, written in byte symbols ("ph", "o</w>"). */
  readonly merges: readonly MergeRule[];
  /** Token string of each id; the specials in open_clip's spelling. */
  readonly tokens: readonly string[];
  /** Number of ids: 512 + merges + 2. Must not exceed the text tower's vocab_size. */
  readonly size: number;
  readonly startOfTextId: number;
  readonly endOfTextId: number;
  /** Where it came from, for messages: a file, a pair of files, or "trained". */
  readonly source: string;
}

/** open_clip reads at most this many merges (`49152 - 256 - 2`), giving 49,408 ids. */
export const MAX_MERGES = 48894;
export const BASE_SYMBOLS = 512;

/** Thrown for vocabularies that cannot be used; `file` names what to fix. */
export class VocabularyError extends WorkbenchError {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`, { kind: 'invalid', field: file });
    this.name = 'VocabularyError';
  }
}

/** Token strings in id order for the given merges (specials last). */
export function clipLayout(merges: readonly MergeRule[]): string[] {
  const tokens = [...BYTE_SYMBOLS, ...BYTE_SYMBOLS.map((s) => s + END_OF_WORD)];
  for (const [a, b] of merges) tokens.push(a + b);
  tokens.push(START_OF_TEXT, END_OF_TEXT);
  return tokens;
}

/**
 * Builds and checks a vocabulary from merge rules. `describeMerge(i)` says where merge i came from
 * (file and line) so errors point at the line to fix.
 */
export function vocabularyFromMerges(
  merges: readonly MergeRule[],
  source: string,
  describeMerge: (index: number) => string = (i) => `merge ${i + 1}`,
): BpeVocabulary {
  if (merges.length > MAX_MERGES) {
    throw new VocabularyError(source, `${merges.length} merges; open_clip reads at most ${MAX_MERGES} (49,408 ids)`);
  }
  merges.forEach(([a, b], i) => {
    if (a.length === 0 || b.length === 0) throw new VocabularyError(source, `${describeMerge(i)} has an empty side`);
    for (const ch of a + b) {
      if (!BYTE_OF_SYMBOL.has(ch)) {
        throw new VocabularyError(
          source,
          `${describeMerge(i)} ("${a} ${b}") has U+${(ch.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}, which is not a CLIP byte symbol; this is not a CLIP byte-level BPE file`,
        );
      }
    }
  });
  const tokens = clipLayout(merges);
  const firstId = new Map<string, number>();
  tokens.forEach((token, id) => {
    const earlier = firstId.get(token);
    if (earlier !== undefined) {
      const where = id >= BASE_SYMBOLS && id < BASE_SYMBOLS + merges.length ? describeMerge(id - BASE_SYMBOLS) : `id ${id}`;
      throw new VocabularyError(
        source,
        `${where} makes "${token}", which id ${earlier} already is; every token must be made once (was the file edited by hand?)`,
      );
    }
    firstId.set(token, id);
  });
  return {
    merges,
    tokens,
    size: tokens.length,
    startOfTextId: tokens.length - 2,
    endOfTextId: tokens.length - 1,
    source,
  };
}

/** Fails when ids from this vocabulary would index past the text tower's token embedding. */
export function assertVocabularyFitsModel(vocabulary: BpeVocabulary, modelVocabSize: number, modelName = 'the model'): void {
  if (vocabulary.size > modelVocabSize) {
    throw new VocabularyError(
      vocabulary.source,
      `${vocabulary.size} ids but ${modelName} has vocab_size ${modelVocabSize}; ids from ${modelVocabSize} up would index past its token embedding. ` +
        `Use a vocabulary of at most ${modelVocabSize} ids (train one with that target) or a model config with a larger vocab_size.`,
    );
  }
}
