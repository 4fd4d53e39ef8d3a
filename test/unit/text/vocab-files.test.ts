import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadVocabulary, loadVocabularySync, resolveVocabularyFiles } from '../../../src-worker/text/vocab-files';
import { MAX_MERGES, VocabularyError, assertVocabularyFitsModel } from '../../../src-worker/text/vocabulary';
import { TINY_IDS, TINY_MERGES, tempDir, tinyMergesText, tinyVocabJson, writeTinyVocabulary } from './tiny-vocab';

const tiny = writeTinyVocabulary();

function gzFile(text: string, name = 'bpe.txt.gz'): string {
  const file = join(tempDir(), name);
  writeFileSync(file, gzipSync(Buffer.from(text)));
  return file;
}

function hfDir(vocab: unknown, merges = tinyMergesText()): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'vocab.json'), typeof vocab === 'string' ? vocab : JSON.stringify(vocab));
  writeFileSync(join(dir, 'merges.txt'), merges);
  return dir;
}

function failure(fn: () => unknown): VocabularyError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(VocabularyError);
    return err as VocabularyError;
  }
  throw new Error('expected a VocabularyError');
}

describe('loading a vocabulary', () => {
  it('accepts a .txt.gz, a folder with either form, vocab.json or merges.txt, or the pair', async () => {
    const expected = loadVocabularySync(tiny.gz).tokens;
    const vocabJson = join(tiny.hfDir, 'vocab.json');
    const mergesTxt = join(tiny.hfDir, 'merges.txt');
    for (const source of [tiny.gz, tiny.gzDir, tiny.hfDir, vocabJson, mergesTxt, { vocabJson, mergesTxt }]) {
      const vocab = loadVocabularySync(source);
      expect(vocab.tokens).toEqual(expected);
      expect(vocab.size).toBe(TINY_IDS.size);
      expect((await loadVocabulary(source)).tokens).toEqual(expected);
    }
    expect(resolveVocabularyFiles(tiny.gzDir)).toEqual({ kind: 'clip', merges: tiny.gz });
  });

  it('skips a first line that holds "#version" after other text, as the standard file\'s does', () => {
    const vocab = loadVocabularySync(gzFile(`"bpe_simple_vocab_16e6.txt#version: 0.2\n${TINY_MERGES.join('\n')}\n`));
    expect(vocab.merges.map(([a, b]) => `${a} ${b}`)).toEqual(TINY_MERGES);
  });

  it('reads at most 48,894 merges, as open_clip slices the standard file', () => {
    const symbols = Array.from({ length: 32 }, (_, i) => String.fromCharCode(0x100 + i));
    const lines: string[] = [];
    for (const a of symbols) for (const b of symbols) lines.push(`${a} ${b}`);
    for (const a of symbols) for (const b of symbols) for (const c of symbols) lines.push(`${a}${b} ${c}`);
    outer: for (const a of symbols)
      for (const b of symbols)
        for (const c of symbols)
          for (const d of symbols) {
            lines.push(`${a}${b}${c} ${d}`);
            if (lines.length >= MAX_MERGES + 100) break outer;
          }
    const vocab = loadVocabularySync(gzFile(`#version: 0.2\n${lines.join('\n')}\n`));
    expect(vocab.merges.length).toBe(48894);
    expect(vocab.size).toBe(49408);
    expect(vocab.startOfTextId).toBe(49406);
    expect(vocab.endOfTextId).toBe(49407);
  });

  it('reads CRLF merges and an unpacked merges text', () => {
    const crlf = gzFile(tinyMergesText().replace(/\n/g, '\r\n'));
    expect(loadVocabularySync(crlf).tokens).toEqual(loadVocabularySync(tiny.gz).tokens);
    const plain = join(tempDir(), 'bpe_simple_vocab_16e6.txt');
    writeFileSync(plain, tinyMergesText());
    expect(loadVocabularySync(plain).size).toBe(TINY_IDS.size);
  });

  it('says which model it does not fit', () => {
    const vocab = loadVocabularySync(tiny.gz);
    expect(() => assertVocabularyFitsModel(vocab, 520)).not.toThrow();
    expect(() => assertVocabularyFitsModel(vocab, 519, 'RN-tiny')).toThrow(/520 ids but RN-tiny has vocab_size 519/);
  });
});

describe('bad vocabulary files', () => {
  it('a .gz that is not gzip', () => {
    const file = join(tempDir(), 'bpe_simple_vocab_16e6.txt.gz');
    writeFileSync(file, tinyMergesText());
    const err = failure(() => loadVocabularySync(file));
    expect(err.file).toBe(file);
    expect(err.message).toMatch(/is named \.gz but is not gzip data/);
  });

  it('a damaged gzip', () => {
    const file = join(tempDir(), 'bpe.txt.gz');
    writeFileSync(file, gzipSync(Buffer.from(tinyMergesText())).subarray(0, 20));
    expect(failure(() => loadVocabularySync(file)).message).toMatch(/damaged gzip/);
  });

  it('a merges file without the #version header', () => {
    const err = failure(() => loadVocabularySync(gzFile('c a\nca t</w>\n')));
    expect(err.message).toMatch(/first line is "c a", expected a "#version: \.\.\." header/);
    const hf = hfDir(tinyVocabJson(), 'c a\n');
    expect(failure(() => loadVocabularySync(hf)).file).toBe(join(hf, 'merges.txt'));
  });

  it('a merge line that is not two symbols, or not CLIP byte symbols', () => {
    expect(failure(() => loadVocabularySync(gzFile('#version: 0.2\nc a\nca t x\n'))).message).toMatch(/line 3 is "ca t x"; each merge line must be two symbols/);
    expect(failure(() => loadVocabularySync(gzFile('#version: 0.2\nc a\n\nh a\n'))).message).toMatch(/line 3 is ""/);
    expect(failure(() => loadVocabularySync(gzFile('#version: 0.2\n▁t he\n'))).message).toMatch(/line 2 \("▁t he"\) has U\+2581, which is not a CLIP byte symbol/);
  });

  it('a merge that makes a token twice', () => {
    const err = failure(() => loadVocabularySync(gzFile('#version: 0.2\nc a\nca t\nc at\n')));
    expect(err.message).toMatch(/line 4 makes "cat", which id 513 already is/);
  });

  it('merges.txt without vocab.json', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'merges.txt'), tinyMergesText());
    expect(failure(() => loadVocabularySync(dir)).message).toMatch(/merges\.txt: has no vocab\.json beside it/);
    expect(failure(() => loadVocabularySync(join(dir, 'merges.txt'))).message).toMatch(/has no vocab\.json beside it/);
  });

  it('vocab.json without merges.txt', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'vocab.json'), JSON.stringify(tinyVocabJson()));
    expect(failure(() => loadVocabularySync(dir)).message).toMatch(/vocab\.json: has no merges\.txt beside it/);
  });

  it('a vocab.json whose ids disagree with merges.txt', () => {
    const swapped = tinyVocabJson();
    swapped.ca = 513;
    swapped['cat</w>'] = 512;
    const dir = hfDir(swapped);
    const err = failure(() => loadVocabularySync(dir));
    expect(err.file).toBe(join(dir, 'vocab.json'));
    expect(err.message).toMatch(/gives "ca" id 513, but the merges put it at 512 \(made by .*merges\.txt line 2\)/);
  });

  it('a vocab.json from another vocabulary: missing merge results, specials or extra entries', () => {
    const missing = tinyVocabJson();
    delete missing['the</w>'];
    expect(failure(() => loadVocabularySync(hfDir(missing))).message).toMatch(/has no entry for "the<\/w>" \(made by .*line 7, id 517\)/);

    const noEnd = tinyVocabJson();
    delete noEnd['<|endoftext|>'];
    expect(failure(() => loadVocabularySync(hfDir(noEnd))).message).toMatch(/has no entry for "<\|endoftext\|>" \(a special token, id 519\)/);

    const extra = { ...tinyVocabJson(), sat: 520 };
    expect(failure(() => loadVocabularySync(hfDir(extra))).message).toMatch(/has 521 entries but .* gives 520 .*not made by a merge: "sat"/);
  });

  it('a vocab.json that is not a token -> id object', () => {
    expect(failure(() => loadVocabularySync(hfDir('{"a": 1,'))).message).toMatch(/vocab\.json: is not valid JSON/);
    expect(failure(() => loadVocabularySync(hfDir('[1, 2]'))).message).toMatch(/must be a JSON object/);
    expect(failure(() => loadVocabularySync(hfDir({ ...tinyVocabJson(), ca: '512' }))).message).toMatch(/gives "ca" the id "512"/);
    expect(failure(() => loadVocabularySync(hfDir({ ...tinyVocabJson(), ca: -1 }))).message).toMatch(/non-negative integers/);
  });

  it('a path that is missing, or a folder with nothing usable', () => {
    expect(failure(() => loadVocabularySync('/nonexistent/clipwb/bpe.txt.gz')).message).toMatch(/no such file or folder/);
    expect(failure(() => loadVocabularySync(tempDir())).message).toMatch(/holds neither vocab\.json \+ merges\.txt nor a \*\.txt\.gz/);
    const two = tempDir();
    copyFileSync(tiny.gz, join(two, 'a.txt.gz'));
    copyFileSync(tiny.gz, join(two, 'b.txt.gz'));
    expect(failure(() => loadVocabularySync(two)).message).toMatch(/several merges files \(a\.txt\.gz, b\.txt\.gz\)/);
  });

  it('a merges file that is not UTF-8', () => {
    const file = join(tempDir(), 'bpe.txt.gz');
    writeFileSync(file, gzipSync(Buffer.concat([Buffer.from('#version: 0.2\nc '), Buffer.from([0xff, 0xfe]), Buffer.from('\n')])));
    expect(failure(() => loadVocabularySync(file)).message).toMatch(/is not UTF-8 text/);
  });

  it('async loading reports the same errors', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'merges.txt'), readFileSync(join(tiny.hfDir, 'merges.txt')));
    await expect(loadVocabulary(join(dir, 'sub'))).rejects.toThrow(/has no vocab\.json beside it/);
  });
});
