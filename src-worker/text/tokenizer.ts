/**
 * CLIP tokenizer: open_clip's SimpleTokenizer over a loaded or trained vocabulary.
 * Rows are [start] + tokens + [end], zero-padded to the context length; longer rows are cut to the
 * context length with the last position forced to the end token (the text tower pools there).
 */
import { fromByteSymbols, toByteSymbols, END_OF_WORD } from './byte-symbols';
import { bytePairEncode, mergeRanks } from './bpe';
import { cleanText } from './clean';
import { END_OF_TEXT, START_OF_TEXT, preTokenize } from './pre-tokenize';
import { loadVocabulary, loadVocabularySync, type VocabularySource } from './vocab-files';
import type { BpeVocabulary } from './vocabulary';

export const DEFAULT_CONTEXT_LENGTH = 77;

export interface TokenizerOptions {
  /**
   * Words whose ids are remembered. open_clip's cache never forgets; ours is emptied when full so a long
   * run over an open-ended caption stream cannot grow without bound. Default 200,000 words.
   */
  cacheLimit?: number;
}

function checkContextLength(contextLength: number): void {
  if (!Number.isInteger(contextLength) || contextLength < 2) {
    throw new RangeError(`contextLength must be an integer >= 2 (room for the start and end tokens); got ${contextLength}`);
  }
}

const utf8Lenient = new TextDecoder('utf-8');
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

export class ClipTokenizer {
  readonly size: number;
  readonly startOfTextId: number;
  readonly endOfTextId: number;
  private readonly ids: Map<string, number>;
  private readonly ranks: Map<string, number>;
  private readonly cache = new Map<string, readonly number[]>();
  private readonly cacheLimit: number;

  constructor(
    readonly vocabulary: BpeVocabulary,
    options: TokenizerOptions = {},
  ) {
    this.size = vocabulary.size;
    this.startOfTextId = vocabulary.startOfTextId;
    this.endOfTextId = vocabulary.endOfTextId;
    this.ids = new Map(vocabulary.tokens.map((t, id) => [t, id]));
    this.ranks = mergeRanks(vocabulary.merges);
    this.cacheLimit = options.cacheLimit ?? 200_000;
    if (!Number.isInteger(this.cacheLimit) || this.cacheLimit < 1) throw new RangeError(`cacheLimit must be an integer >= 1; got ${this.cacheLimit}`);
  }

  static async load(source: VocabularySource, options?: TokenizerOptions): Promise<ClipTokenizer> {
    return new ClipTokenizer(await loadVocabulary(source), options);
  }

  static loadSync(source: VocabularySource, options?: TokenizerOptions): ClipTokenizer {
    return new ClipTokenizer(loadVocabularySync(source), options);
  }

  /** Ids of one pre-token (a word from preTokenize). */
  wordIds(preToken: string): readonly number[] {
    const cached = this.cache.get(preToken);
    if (cached !== undefined) return cached;
    let ids: number[];
    if (preToken === START_OF_TEXT) ids = [this.startOfTextId];
    else if (preToken === END_OF_TEXT) ids = [this.endOfTextId];
    else {
      ids = bytePairEncode(toByteSymbols(preToken), this.ranks).map((token) => {
        const id = this.ids.get(token);
        // Every BPE output is a byte symbol or a merge result, all of which have ids.
        if (id === undefined) throw new Error(`BPE produced "${token}", which has no id (vocabulary ${this.vocabulary.source})`);
        return id;
      });
    }
    if (this.cache.size >= this.cacheLimit) this.cache.clear();
    this.cache.set(preToken, ids);
    return ids;
  }

  /** Token ids of a caption without start/end tokens or padding (open_clip's `encode`). */
  tokenIds(text: string): number[] {
    const out: number[] = [];
    for (const word of preTokenize(cleanText(text))) {
      for (const id of this.wordIds(word)) out.push(id);
    }
    return out;
  }

  /** Writes one row of `contextLength` ids for `text` into `out` at `offset`. Returns false when cut. */
  encodeInto(text: string, out: Int32Array, offset: number, contextLength: number = DEFAULT_CONTEXT_LENGTH): boolean {
    checkContextLength(contextLength);
    if (!Number.isInteger(offset) || offset < 0 || offset + contextLength > out.length) {
      throw new RangeError(`a row of ${contextLength} ids at offset ${offset} does not fit in an array of ${out.length}`);
    }
    const last = offset + contextLength - 1;
    out.fill(0, offset, offset + contextLength);
    out[offset] = this.startOfTextId;
    let pos = offset + 1;
    for (const word of preTokenize(cleanText(text))) {
      for (const id of this.wordIds(word)) {
        if (pos === last) {
          out[last] = this.endOfTextId;
          return false;
        }
        out[pos++] = id;
      }
    }
    out[pos] = this.endOfTextId;
    return true;
  }

  /** One row of ids, length contextLength. */
  encodeOne(text: string, contextLength: number = DEFAULT_CONTEXT_LENGTH): Int32Array {
    if (typeof text !== 'string') throw new TypeError(`text must be a string; got ${typeof text}`);
    const row = new Int32Array(contextLength);
    this.encodeInto(text, row, 0, contextLength);
    return row;
  }

  /** Ids for a batch, row-major [texts.length, contextLength]. */
  encode(texts: readonly string[], contextLength: number = DEFAULT_CONTEXT_LENGTH): Int32Array {
    checkContextLength(contextLength);
    const out = new Int32Array(texts.length * contextLength);
    texts.forEach((text, i) => {
      if (typeof text !== 'string') throw new TypeError(`texts[${i}] must be a string; got ${typeof text}`);
      this.encodeInto(text, out, i * contextLength, contextLength);
    });
    return out;
  }

  private tokenOf(id: number, index: number): string {
    const token = Number.isInteger(id) ? this.vocabulary.tokens[id] : undefined;
    if (token === undefined) throw new RangeError(`ids[${index}] = ${id} is outside this vocabulary (0..${this.size - 1})`);
    return token;
  }

  /**
   * Text of ids: bytes joined, UTF-8 decoded (bad sequences become U+FFFD), end-of-word marks as
   * spaces. With skipSpecial (default) a start token is dropped, decoding stops at the first end token
   * and the trailing space goes, so decode(encodeOne(x)) is the cleaned words of x joined by spaces.
   * skipSpecial false decodes every id as open_clip does (padding zeros come out as "!").
   */
  decode(ids: ArrayLike<number>, options: { skipSpecial?: boolean } = {}): string {
    const skipSpecial = options.skipSpecial ?? true;
    let symbols = '';
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      const token = this.tokenOf(id, i);
      if (skipSpecial) {
        if (id === this.endOfTextId) break;
        if (id === this.startOfTextId) continue;
      }
      symbols += token;
    }
    const text = utf8Lenient.decode(fromByteSymbols(symbols)).replaceAll(END_OF_WORD, ' ');
    return skipSpecial ? text.replace(/ $/, '') : text;
  }

  /** Each id as readable text ("photo</w>"); bytes that are not whole UTF-8 characters as \xNN. */
  tokenStrings(ids: ArrayLike<number>): string[] {
    const out: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      const token = this.tokenOf(id, i);
      if (id === this.startOfTextId || id === this.endOfTextId) {
        out.push(token);
        continue;
      }
      const mark = token.endsWith(END_OF_WORD) ? END_OF_WORD : '';
      const bytes = fromByteSymbols(token.slice(0, token.length - mark.length));
      let shown: string;
      try {
        shown = utf8Strict.decode(bytes);
      } catch {
        shown = Array.from(bytes, (b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
      }
      out.push(shown + mark);
    }
    return out;
  }
}
