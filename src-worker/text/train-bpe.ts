/**
 * Learns CLIP-style BPE merges from captions, for models trained from scratch with a small vocab_size.
 *
 * Captions are cleaned and pre-tokenised exactly as the tokenizer does, words are counted, and the most
 * frequent adjacent pair of symbols (counted over all word occurrences) is merged, again and again,
 * until the vocabulary reaches the target size (512 byte symbols + merges + 2 specials).
 * Ties between equally frequent pairs go to the pair with the smaller left id, then the smaller right
 * id (ids in CLIP's layout: byte symbols in bytes_to_unicode order, then their end-of-word forms, then
 * merges in the order learned). The result depends only on the word counts, not on caption order.
 * A pair whose merged text is already a token (two routes to "abc") is never merged: a vocabulary
 * needs each token once. Training stops early when no pair occurs minPairCount times.
 */
import { BYTE_SYMBOLS, END_OF_WORD, toByteSymbols } from './byte-symbols';
import { cleanText } from './clean';
import { END_OF_TEXT, START_OF_TEXT, preTokenize } from './pre-tokenize';
import { PairHeap } from './pair-heap';
import { BASE_SYMBOLS, MAX_MERGES, vocabularyFromMerges, type BpeVocabulary, type MergeRule } from './vocabulary';

export interface TrainBpeOptions {
  /** Target number of ids, specials included: 514 .. 49,408. Use the model's vocab_size. */
  vocabSize: number;
  /** A pair must occur at least this often to be merged. Default 2 (a pair seen once is memorisation). */
  minPairCount?: number;
}

export interface TrainBpeResult {
  vocabulary: BpeVocabulary;
  requestedSize: number;
  /** Real number of ids; below requestedSize when training stopped early. */
  size: number;
  stoppedEarly: boolean;
  /** Why training stopped before the target, in words. */
  stopReason?: string;
  captions: number;
  /** Word occurrences and distinct words seen. */
  words: number;
  wordTypes: number;
}

// Pair keys pack two ids below 2^16 (ids never exceed 49,407) into one number.
const KEY_BASE = 65536;

interface Word {
  symbols: number[];
  count: number;
}

function countWords(captions: Iterable<string>): { counts: Map<string, number>; captions: number; words: number } {
  const counts = new Map<string, number>();
  let n = 0;
  let words = 0;
  for (const caption of captions) {
    if (typeof caption !== 'string') throw new TypeError(`caption ${n} must be a string; got ${typeof caption}`);
    n++;
    for (const word of preTokenize(cleanText(caption))) {
      if (word === START_OF_TEXT || word === END_OF_TEXT) continue;
      counts.set(word, (counts.get(word) ?? 0) + 1);
      words++;
    }
  }
  return { counts, captions: n, words };
}

function initialSymbols(word: string, symbolId: ReadonlyMap<string, number>): number[] {
  const symbols = toByteSymbols(word)
    .split('')
    .map((ch) => symbolId.get(ch) as number);
  symbols[symbols.length - 1] = (symbols[symbols.length - 1] as number) + 256;
  return symbols;
}

function checkOptions(options: TrainBpeOptions): { vocabSize: number; minPairCount: number } {
  const { vocabSize } = options;
  const minPairCount = options.minPairCount ?? 2;
  const max = BASE_SYMBOLS + MAX_MERGES + 2;
  if (!Number.isInteger(vocabSize) || vocabSize < BASE_SYMBOLS + 2 || vocabSize > max) {
    throw new RangeError(`vocabSize must be an integer from ${BASE_SYMBOLS + 2} (byte symbols and specials only) to ${max}; got ${vocabSize}`);
  }
  if (!Number.isInteger(minPairCount) || minPairCount < 1) throw new RangeError(`minPairCount must be an integer >= 1; got ${minPairCount}`);
  return { vocabSize, minPairCount };
}

export function trainBpe(captions: Iterable<string>, options: TrainBpeOptions): TrainBpeResult {
  const { vocabSize, minPairCount } = checkOptions(options);
  const targetMerges = vocabSize - BASE_SYMBOLS - 2;
  const counted = countWords(captions);
  const symbolId = new Map(BYTE_SYMBOLS.map((s, i) => [s, i]));

  // Sorted so that the bookkeeping order (not the result) is also independent of caption order.
  const words: Word[] = [...counted.counts.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([word, count]) => ({ symbols: initialSymbols(word, symbolId), count }));

  const tokens: string[] = [...BYTE_SYMBOLS, ...BYTE_SYMBOLS.map((s) => s + END_OF_WORD)];
  const known = new Set(tokens);
  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const addPairs = (w: number, sign: 1 | -1, delta: Map<number, number>): void => {
    const { symbols, count } = words[w] as Word;
    for (let i = 0; i + 1 < symbols.length; i++) {
      const key = (symbols[i] as number) * KEY_BASE + (symbols[i + 1] as number);
      pairCount.set(key, (pairCount.get(key) ?? 0) + sign * count);
      delta.set(key, (delta.get(key) ?? 0) + sign * count);
      if (sign > 0) {
        let set = pairWords.get(key);
        if (set === undefined) pairWords.set(key, (set = new Set()));
        set.add(w);
      }
    }
  };

  const heap = new PairHeap();
  const initial = new Map<number, number>();
  words.forEach((_, w) => addPairs(w, 1, initial));
  for (const [key, count] of pairCount) heap.push(count, key);

  const merges: MergeRule[] = [];
  const banned = new Set<number>();
  let stopReason: string | undefined;
  while (merges.length < targetMerges) {
    const top = heap.pop();
    if (top === undefined) {
      stopReason = 'every word is a single token: no pairs left to merge';
      break;
    }
    const count = pairCount.get(top.key) ?? 0;
    if (count !== top.count || banned.has(top.key)) continue;
    if (count < minPairCount) {
      stopReason = `no pair of tokens occurs ${minPairCount} or more times`;
      break;
    }
    const left = Math.floor(top.key / KEY_BASE);
    const right = top.key % KEY_BASE;
    const merged = (tokens[left] as string) + (tokens[right] as string);
    if (known.has(merged)) {
      banned.add(top.key);
      continue;
    }
    const newId = tokens.length;
    tokens.push(merged);
    known.add(merged);
    merges.push([tokens[left] as string, tokens[right] as string]);

    const delta = new Map<number, number>();
    for (const w of pairWords.get(top.key) ?? []) {
      const word = words[w] as Word;
      const s = word.symbols;
      let present = false;
      for (let i = 0; i + 1 < s.length; i++) {
        if (s[i] === left && s[i + 1] === right) {
          present = true;
          break;
        }
      }
      if (!present) continue;
      addPairs(w, -1, delta);
      const next: number[] = [];
      for (let i = 0; i < s.length; ) {
        if (i + 1 < s.length && s[i] === left && s[i + 1] === right) {
          next.push(newId);
          i += 2;
        } else {
          next.push(s[i] as number);
          i += 1;
        }
      }
      word.symbols = next;
      addPairs(w, 1, delta);
    }
    pairWords.delete(top.key);
    for (const [key, change] of delta) {
      const now = pairCount.get(key) ?? 0;
      if (now <= 0) {
        pairCount.delete(key);
        continue;
      }
      if (change !== 0) heap.push(now, key);
    }
  }

  const vocabulary = vocabularyFromMerges(merges, `trained on ${counted.captions} captions`);
  return {
    vocabulary,
    requestedSize: vocabSize,
    size: vocabulary.size,
    stoppedEarly: merges.length < targetMerges,
    ...(stopReason !== undefined && merges.length < targetMerges ? { stopReason } : {}),
    captions: counted.captions,
    words: counted.words,
    wordTypes: words.length,
  };
}
