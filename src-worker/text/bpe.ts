/**
 * Byte-pair encoding of one pre-token: start from its byte symbols (the last one carrying the
 * end-of-word mark) and repeatedly merge the adjacent pair with the lowest merge rank, every
 * occurrence of it left to right, until no adjacent pair has a rank. Same result as open_clip's `bpe`.
 */
import { END_OF_WORD } from './byte-symbols';

/** Rank of each merge, keyed "left right" (merge lines as written in the files). */
export function mergeRanks(merges: ReadonlyArray<readonly [string, string]>): Map<string, number> {
  const ranks = new Map<string, number>();
  merges.forEach(([a, b], rank) => ranks.set(`${a} ${b}`, rank));
  return ranks;
}

/** `symbols` is a pre-token already mapped to byte symbols (one UTF-16 unit per byte). */
export function bytePairEncode(symbols: string, ranks: ReadonlyMap<string, number>): string[] {
  if (symbols.length === 0) return [];
  let word = symbols.split('');
  word[word.length - 1] += END_OF_WORD;
  while (word.length > 1) {
    let bestRank = Infinity;
    let first = '';
    let second = '';
    for (let i = 0; i + 1 < word.length; i++) {
      const rank = ranks.get(`${word[i]} ${word[i + 1]}`);
      if (rank !== undefined && rank < bestRank) {
        bestRank = rank;
        first = word[i] as string;
        second = word[i + 1] as string;
      }
    }
    if (bestRank === Infinity) break;
    const merged: string[] = [];
    for (let i = 0; i < word.length; ) {
      if (word[i] === first && word[i + 1] === second && i + 1 < word.length) {
        merged.push(first + second);
        i += 2;
      } else {
        merged.push(word[i] as string);
        i += 1;
      }
    }
    word = merged;
  }
  return word;
}
