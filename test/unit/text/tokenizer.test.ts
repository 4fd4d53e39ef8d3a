import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BYTE_SYMBOLS, SYMBOL_OF_BYTE } from '../../../src-worker/text/byte-symbols';
import { ClipTokenizer } from '../../../src-worker/text/tokenizer';
import { vocabularyFromMerges } from '../../../src-worker/text/vocabulary';
import { STANDARD_VOCAB_SIZE, standardVocabularyPath } from '../../../src-worker/text/standard-vocab';
import { TINY_IDS, TINY_MERGES, printableFirstOrder, writeTinyVocabulary } from './tiny-vocab';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'text');
const files = writeTinyVocabulary();
const fromGz = ClipTokenizer.loadSync(files.gz);
const fromHf = ClipTokenizer.loadSync(files.hfDir);
const row = (ids: Int32Array): number[] => Array.from(ids);
const padded = (ids: number[], n = 10): number[] => [...ids, ...new Array<number>(n - ids.length).fill(0)];

describe('byte symbols', () => {
  it("follow open_clip's bytes_to_unicode order", () => {
    expect(BYTE_SYMBOLS).toEqual(printableFirstOrder());
    expect(BYTE_SYMBOLS[0]).toBe('!');
    expect(BYTE_SYMBOLS.indexOf('a')).toBe(64);
    expect(SYMBOL_OF_BYTE[32]).toBe('Ġ'); // space, as GPT-2 and CLIP write it
    expect(SYMBOL_OF_BYTE[10]).toBe('Ċ');
    expect(SYMBOL_OF_BYTE[173]).toBe('Ń'); // soft hyphen, the last byte shifted up
    expect(new Set(BYTE_SYMBOLS).size).toBe(256);
  });
});

describe('ClipTokenizer on a hand-built vocabulary', () => {
  it('reads the same ids from the .txt.gz and from vocab.json + merges.txt', () => {
    expect(fromGz.size).toBe(TINY_IDS.size);
    expect(fromHf.size).toBe(TINY_IDS.size);
    expect(fromHf.vocabulary.tokens).toEqual(fromGz.vocabulary.tokens);
    for (const text of ['the cat.', 'that hat', 'chat with THE cats!', 'a', '']) {
      expect(row(fromHf.encodeOne(text, 12))).toEqual(row(fromGz.encodeOne(text, 12)));
    }
  });

  it('gives the ids worked out by hand from the merges', () => {
    expect(fromGz.startOfTextId).toBe(518);
    expect(fromGz.endOfTextId).toBe(519);
    // the: t h e</w> -> th e</w> -> the</w>; cat: c a t</w> -> ca t</w> -> cat</w>; "." alone is .</w>
    expect(row(fromGz.encodeOne('The cat.', 10))).toEqual(padded([518, TINY_IDS['the</w>'], TINY_IDS['cat</w>'], 269, 519]));
    // hat: (a t</w>) ranks below (h a), so h + at</w>, not ha + t</w>
    expect(fromGz.tokenIds('hat')).toEqual([71, TINY_IDS['at</w>']]);
    // that: at</w> first, then th
    expect(fromGz.tokenIds('that')).toEqual([TINY_IDS.th, TINY_IDS['at</w>']]);
    // chat: c and h never merge, (c a) cannot apply once a is taken
    expect(fromGz.tokenIds('chat')).toEqual([66, 71, TINY_IDS['at</w>']]);
    expect(fromGz.tokenIds('a')).toEqual([320]);
    expect(fromGz.tokenIds('é')).toEqual([BYTE_SYMBOLS.indexOf('Ã'), 256 + BYTE_SYMBOLS.indexOf('©')]); // UTF-8 C3 A9
  });

  it('pads with zeros and puts the end token right after the text', () => {
    const ids = row(fromGz.encodeOne('a', 6));
    expect(ids).toEqual([518, 320, 519, 0, 0, 0]);
    expect(row(fromGz.encodeOne('', 4))).toEqual([518, 519, 0, 0]);
  });

  it('cuts long text to the context length with the end token last', () => {
    const text = 'a a a a a a a a';
    expect(row(fromGz.encodeOne(text, 5))).toEqual([518, 320, 320, 320, 519]);
    // one token too many for the row: the last text token gives way to the end token
    expect(row(fromGz.encodeOne('a a a a', 5))).toEqual([518, 320, 320, 320, 519]);
    expect(Array.from(fromGz.encode(['a a a a', 'a'], 5))).toEqual([518, 320, 320, 320, 519, 518, 320, 519, 0, 0]);
    // exactly fitting text is not cut
    expect(row(fromGz.encodeOne('a a a', 5))).toEqual([518, 320, 320, 320, 519]);
    expect(row(fromGz.encodeOne('a a', 5))).toEqual([518, 320, 320, 519, 0]);
    expect(row(fromGz.encodeOne('a a a a', 2))).toEqual([518, 519]);
  });

  it('keeps the end token the largest id, so argmax finds it', () => {
    for (const tok of [fromGz, fromHf]) {
      expect(tok.endOfTextId).toBe(tok.size - 1);
      const ids = tok.encode(['the cat', 'chat that hat a a a a a a a a a a'], 8);
      for (let r = 0; r < 2; r++) {
        const line = Array.from(ids.subarray(r * 8, r * 8 + 8));
        expect(line.indexOf(Math.max(...line))).toBe(line.indexOf(tok.endOfTextId));
      }
    }
  });

  it('encodes a batch row-major, each row as encodeOne would', () => {
    const texts = ['the cat.', 'hat', 'a a a a a a a a a'];
    const batch = fromGz.encode(texts, 6);
    expect(batch.length).toBe(18);
    texts.forEach((t, i) => expect(Array.from(batch.subarray(i * 6, i * 6 + 6))).toEqual(row(fromGz.encodeOne(t, 6))));
  });

  it('maps special tokens written in the text to their ids', () => {
    expect(fromGz.tokenIds('a <end_of_text> a')).toEqual([320, 519, 320]);
  });

  it('gives the same ids with a cache that keeps forgetting', () => {
    const forgetful = new ClipTokenizer(fromGz.vocabulary, { cacheLimit: 1 });
    const texts = ['the cat that sat', 'that hat', 'the cat that sat'];
    expect(row(forgetful.encode(texts, 9))).toEqual(row(fromGz.encode(texts, 9)));
  });

  it('decodes back to the cleaned words', () => {
    expect(fromGz.decode(fromGz.encodeOne('  The CAT  that sat ', 20))).toBe('the cat that sat');
    expect(fromGz.decode(fromGz.encodeOne('the cat.', 10))).toBe('the cat .');
    expect(fromGz.decode(fromGz.encodeOne('café', 10))).toBe('café');
    // open_clip's raw decode keeps everything, padding zeros included ('!')
    expect(fromGz.decode([518, 320, 519, 0], { skipSpecial: false })).toBe('<start_of_text>a <end_of_text>!');
    // a lone UTF-8 lead byte cannot decode
    expect(fromGz.decode([BYTE_SYMBOLS.indexOf('Ã')])).toBe('\ufffd');
  });

  it('shows tokens as text, with raw bytes where a token is part of a character', () => {
    expect(fromGz.tokenStrings(fromGz.encodeOne('the cat', 4))).toEqual(['<start_of_text>', 'the</w>', 'cat</w>', '<end_of_text>']);
    expect(fromGz.tokenStrings(fromGz.tokenIds('é'))).toEqual(['\\xc3', '\\xa9</w>']);
  });

  it('rejects bad arguments with a message naming them', () => {
    expect(() => fromGz.encodeOne('a', 1)).toThrow(/contextLength must be an integer >= 2/);
    expect(() => fromGz.encode(['a'], 7.5)).toThrow(/contextLength/);
    expect(() => fromGz.encode(['a', 3 as unknown as string])).toThrow(/texts\[1\] must be a string/);
    expect(() => fromGz.decode([520])).toThrow(/ids\[0\] = 520 is outside this vocabulary \(0\.\.519\)/);
    expect(() => fromGz.encodeInto('a', new Int32Array(5), 2, 4)).toThrow(/does not fit/);
  });

  it('builds the same vocabulary from merges in memory', () => {
    const vocab = vocabularyFromMerges(TINY_MERGES.map((m) => m.split(' ') as [string, string]), 'memory');
    expect(vocab.tokens).toEqual(fromGz.vocabulary.tokens);
  });
});

/**
 * The shipped standard vocabulary against ids computed by an independent Python implementation of the
 * published algorithm (test/fixtures/text/make-standard-vocab-cases.py).
 */
describe('the standard CLIP vocabulary (resources/vocab)', () => {
  const cases = JSON.parse(readFileSync(join(FIXTURES, 'standard-vocab-cases.json'), 'utf8')) as { context_length: number; cases: { text: string; ids: number[] }[] };
  const tok = ClipTokenizer.loadSync(standardVocabularyPath());

  it('has 49,408 ids with the specials last, as open_clip', () => {
    expect(tok.size).toBe(STANDARD_VOCAB_SIZE);
    expect(tok.startOfTextId).toBe(49406);
    expect(tok.endOfTextId).toBe(49407);
  });

  it('encodes "a photo of a cat." as open_clip does', () => {
    const ids = tok.encodeOne('a photo of a cat.');
    expect(Array.from(ids.subarray(0, 8))).toEqual([49406, 320, 1125, 539, 320, 2368, 269, 49407]);
    expect(ids.length).toBe(77);
    expect(ids.subarray(8).every((v) => v === 0)).toBe(true);
  });

  it.each(cases.cases.map((c) => [JSON.stringify(c.text).slice(0, 60), c] as const))('encodes %s as the reference algorithm', (_name, c) => {
    const row = tok.encodeOne(c.text, cases.context_length);
    const expected = new Array<number>(cases.context_length).fill(0);
    c.ids.forEach((id, i) => { expected[i] = id; });
    expect(Array.from(row)).toEqual(expected);
  });

  it('covers the kinds of text the published tokenizer must handle', () => {
    const texts = cases.cases.map((c) => c.text);
    expect(texts.some((t) => /[\u4e00-\u9fff]/.test(t))).toBe(true); // CJK
    expect(texts.some((t) => /\p{Extended_Pictographic}/u.test(t))).toBe(true); // emoji
    expect(texts.some((t) => /&[a-z#0-9]+;/.test(t))).toBe(true); // HTML entities
    expect(cases.cases.some((c) => c.ids.length === cases.context_length)).toBe(true); // over-long input, cut
  });
});

const referencePath = process.env.CLIPWB_TEST_BPE_VOCAB;
if (!referencePath) {
  console.log('skipping the Hugging Face form of the standard vocabulary: set CLIPWB_TEST_BPE_VOCAB to an openai/clip-vit-base-patch32 folder to run it');
}

describe.skipIf(!referencePath)('the standard CLIP vocabulary (CLIPWB_TEST_BPE_VOCAB)', () => {
  it('encodes "a photo of a cat." as open_clip does', () => {
    const tok = ClipTokenizer.loadSync(referencePath as string);
    expect(tok.size).toBe(49408);
    expect(tok.startOfTextId).toBe(49406);
    expect(tok.endOfTextId).toBe(49407);
    const ids = tok.encodeOne('a photo of a cat.');
    expect(Array.from(ids.subarray(0, 8))).toEqual([49406, 320, 1125, 539, 320, 2368, 269, 49407]);
    expect(ids.length).toBe(77);
    expect(ids.subarray(8).every((v) => v === 0)).toBe(true);
  });
});
