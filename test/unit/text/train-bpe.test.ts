import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cleanText } from '../../../src-worker/text/clean';
import { preTokenize } from '../../../src-worker/text/pre-tokenize';
import { ClipTokenizer } from '../../../src-worker/text/tokenizer';
import { trainBpe } from '../../../src-worker/text/train-bpe';
import { loadVocabularySync, saveVocabulary } from '../../../src-worker/text/vocab-files';
import { syntheticCaptions } from './captions';
import { tempDir } from './tiny-vocab';

const captions = syntheticCaptions();

describe('trainBpe', () => {
  it('merges the most frequent pair first, breaking ties by the smaller ids', () => {
    // ab x3, abc x2: (a b</w>) 3 first; then (a b) and (b c</w>) both 2, a's id is smaller; then (ab c</w>).
    const result = trainBpe(['ab ab ab', 'abc abc'], { vocabSize: 1024 });
    expect(result.vocabulary.merges).toEqual([
      ['a', 'b</w>'],
      ['a', 'b'],
      ['ab', 'c</w>'],
    ]);
    expect(result.stoppedEarly).toBe(true);
    expect(result.stopReason).toMatch(/every word is a single token/);
    expect(result.size).toBe(512 + 3 + 2);
    expect(result.vocabulary.endOfTextId).toBe(516);
    expect(result).toMatchObject({ captions: 2, words: 5, wordTypes: 2, requestedSize: 1024 });

    // same left symbol: the smaller right id wins (b</w> before c</w>)
    expect(trainBpe(['ac ab ac ab'], { vocabSize: 515 }).vocabulary.merges).toEqual([['a', 'b</w>']]);
  });

  it('stops at pairs rarer than minPairCount and says so', () => {
    const result = trainBpe(['ab ab ab', 'abc abc'], { vocabSize: 1024, minPairCount: 3 });
    expect(result.vocabulary.merges).toEqual([['a', 'b</w>']]);
    expect(result.stopReason).toMatch(/no pair of tokens occurs 3 or more times/);
  });

  it('reaches the target size exactly when the captions allow it', () => {
    const result = trainBpe(captions, { vocabSize: 600 });
    expect(result.size).toBe(600);
    expect(result.stoppedEarly).toBe(false);
    expect(result.stopReason).toBeUndefined();
    expect(result.vocabulary.endOfTextId).toBe(599);
  });

  it('runs out of pairs on a small caption set and reports the real size', () => {
    const result = trainBpe(captions, { vocabSize: 1024 });
    expect(result.stoppedEarly).toBe(true);
    expect(result.size).toBeLessThan(1024);
    expect(result.size).toBe(result.vocabulary.tokens.length);
  });

  it('is deterministic and does not depend on caption order', () => {
    const a = trainBpe(captions, { vocabSize: 700 });
    const b = trainBpe(captions, { vocabSize: 700 });
    const shuffled = [...captions].reverse();
    for (let i = 0; i < shuffled.length; i += 7) {
      const j = (i * 31) % shuffled.length;
      [shuffled[i], shuffled[j]] = [shuffled[j] as string, shuffled[i] as string];
    }
    const c = trainBpe(shuffled, { vocabSize: 700 });
    expect(b.vocabulary.merges).toEqual(a.vocabulary.merges);
    expect(c.vocabulary.merges).toEqual(a.vocabulary.merges);
  });

  it('round-trips through both saved forms with identical ids, and decodes to the cleaned text', () => {
    const trained = trainBpe(captions, { vocabSize: 800 });
    const dir = tempDir();
    const files = saveVocabulary(trained.vocabulary, dir);
    const inMemory = new ClipTokenizer(trained.vocabulary);
    const fromGz = ClipTokenizer.loadSync(files.clipGz);
    const fromHf = ClipTokenizer.loadSync({ vocabJson: files.vocabJson, mergesTxt: files.mergesTxt });
    expect(fromGz.vocabulary.tokens).toEqual(trained.vocabulary.tokens);
    expect(fromHf.vocabulary.tokens).toEqual(trained.vocabulary.tokens);
    expect(ClipTokenizer.loadSync(dir).vocabulary.tokens).toEqual(trained.vocabulary.tokens);

    const probe = [...captions.slice(0, 50), 'a never seen zebra, 42 times', 'naïve Ünïcödé 😂'];
    const expected = inMemory.encode(probe, 32);
    expect(Array.from(fromGz.encode(probe, 32))).toEqual(Array.from(expected));
    expect(Array.from(fromHf.encode(probe, 32))).toEqual(Array.from(expected));

    for (const text of probe) {
      const decoded = fromGz.decode(fromGz.encodeOne(text, 77));
      expect(decoded).toBe(preTokenize(cleanText(text)).join(' '));
    }
    // Captions of plain words decode to exactly the cleaned caption.
    expect(fromGz.decode(fromGz.encodeOne('  A blurry Photo of the  dog '))).toBe(cleanText('  A blurry Photo of the  dog '));
  });

  it('writes a .txt.gz that open_clip reads with the same number of merges', () => {
    const trained = trainBpe(['ab ab ab', 'abc abc'], { vocabSize: 1024 });
    const files = saveVocabulary(trained.vocabulary, tempDir(), 'tiny');
    expect(basename(files.clipGz)).toBe('tiny.txt.gz');
    // open_clip splits on '\n' and keeps every line after the header: a trailing newline would add an empty merge.
    const text = gunzipSync(readFileSync(files.clipGz)).toString('utf8');
    expect(text.split('\n').slice(1)).toEqual(['a b</w>', 'a b', 'ab c</w>']);
    expect(loadVocabularySync(files.clipGz).size).toBe(517);
  });

  it('rejects a target it cannot meet or open_clip cannot read', () => {
    expect(() => trainBpe(captions, { vocabSize: 513 })).toThrow(/vocabSize must be an integer from 514/);
    expect(() => trainBpe(captions, { vocabSize: 49409 })).toThrow(/to 49408/);
    expect(() => trainBpe(captions, { vocabSize: 1000, minPairCount: 0 })).toThrow(/minPairCount/);
    expect(() => trainBpe(['ok', 5 as unknown as string], { vocabSize: 600 })).toThrow(/caption 1 must be a string/);
  });

  it('ignores special tokens written in captions', () => {
    const result = trainBpe(['<end_of_text> <end_of_text> ab ab'], { vocabSize: 1024 });
    expect(result.vocabulary.merges).toEqual([['a', 'b</w>']]);
  });
});
