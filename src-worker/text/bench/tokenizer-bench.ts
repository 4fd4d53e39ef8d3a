/**
 * Tokenizer and BPE-trainer speed. Prints figures; asserts nothing.
 *   node bin/run-ts.mjs src-worker/text/bench/tokenizer-bench.ts [path to a CLIP vocabulary]
 * Without a path it uses a vocabulary trained here (1,024 and 8,192 ids).
 */
import { ClipTokenizer } from '../tokenizer';
import { trainBpe } from '../train-bpe';
import { loadVocabularySync } from '../vocab-files';
import type { BpeVocabulary } from '../vocabulary';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = 'ka lo mi ne ra tu shi po ve da sen tor bel cam fin gra hul jor kes lan mor nip os pur qua ris sta tev ul vor wex yam zel ar en in on un ba ce di fo gu'.split(' ');
const COMMON = 'a the of on in with and photo picture image close-up view small large red blue green black white two three my'.split(' ');

/** Short captions (6-12 words) with a Zipf-like word distribution, like alt-text. */
function captions(n: number, seed: number): string[] {
  const r = rng(seed);
  const lexicon: string[] = [];
  for (let i = 0; i < 20000; i++) {
    const k = 1 + Math.floor(r() * 3);
    let w = '';
    for (let j = 0; j < k; j++) w += SYLLABLES[Math.floor(r() * SYLLABLES.length)];
    lexicon.push(w);
  }
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const words: string[] = [];
    const len = 6 + Math.floor(r() * 7);
    for (let j = 0; j < len; j++) {
      words.push(r() < 0.45 ? (COMMON[Math.floor(r() * COMMON.length)] as string) : (lexicon[Math.floor(lexicon.length * r() ** 3)] as string));
    }
    if (r() < 0.3) words.push(String(Math.floor(r() * 2000)));
    out.push(`${words.join(' ')}${r() < 0.5 ? '.' : ''}`);
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function time(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

const RUNS = 5;
const train = captions(50_000, 1);
const probe = captions(50_000, 2);

for (const size of [1024, 8192]) {
  const ms: number[] = [];
  let result: ReturnType<typeof trainBpe> | undefined;
  for (let i = 0; i < RUNS; i++) ms.push(time(() => (result = trainBpe(train, { vocabSize: size }))));
  console.log(`train to ${size} ids on ${train.length} captions (${result?.wordTypes} word types): median ${median(ms).toFixed(0)} ms; got ${result?.size} ids`);
}

const path = process.argv[2];
const vocabularies: BpeVocabulary[] = [];
if (path) {
  const loadMs: number[] = [];
  for (let i = 0; i < RUNS; i++) loadMs.push(time(() => vocabularies.splice(0, 1, loadVocabularySync(path))));
  console.log(`load ${path}: median ${median(loadMs).toFixed(0)} ms`);
} else {
  for (const size of [1024, 8192]) vocabularies.push(trainBpe(train, { vocabSize: size }).vocabulary);
}
for (const vocabulary of vocabularies) {
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const fresh = new ClipTokenizer(vocabulary);
    cold.push(time(() => fresh.encode(probe, 77)));
    warm.push(time(() => fresh.encode(probe, 77)));
  }
  const perSec = (ms: number) => Math.round((probe.length / ms) * 1000).toLocaleString('en');
  console.log(
    `encode ${probe.length} captions, ctx 77, vocab of ${vocabulary.size} ids: empty cache ${perSec(median(cold))}/s, warm cache ${perSec(median(warm))}/s`,
  );
}
