/**
 * Reading and writing CLIP BPE vocabularies in the two forms models ship with:
 *  - open_clip's `bpe_simple_vocab_16e6.txt.gz`: gzip text, a `#version` header line, then one merge per
 *    line; open_clip uses lines 1..48,894 and derives every id from them;
 *  - Hugging Face's `vocab.json` (token -> id, specials spelled `<|startoftext|>` / `<|endoftext|>`) plus
 *    `merges.txt` (same merge lines). We take the ids from vocab.json and require them to agree with the
 *    merges, so both forms of one vocabulary give identical ids.
 */
import { existsSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { END_OF_TEXT, HF_END_OF_TEXT, HF_START_OF_TEXT, START_OF_TEXT } from './pre-tokenize';
import { BASE_SYMBOLS, MAX_MERGES, VocabularyError, vocabularyFromMerges, type BpeVocabulary, type MergeRule } from './vocabulary';
import { jsonSyntaxProblem } from '../io/json-error';

export type VocabularySource = string | { vocabJson: string; mergesTxt: string };

export type VocabularyFiles = { kind: 'clip'; merges: string } | { kind: 'hf'; vocabJson: string; mergesTxt: string };

const HOW_TO =
  'give a CLIP merges file (bpe_simple_vocab_16e6.txt.gz), a Hugging Face vocab.json with merges.txt beside it, or a folder holding either';

function pairFrom(dir: string): { kind: 'hf'; vocabJson: string; mergesTxt: string } {
  return { kind: 'hf', vocabJson: join(dir, 'vocab.json'), mergesTxt: join(dir, 'merges.txt') };
}

/** Works out which files a --vocab argument names, or says what is missing. */
export function resolveVocabularyFiles(source: VocabularySource): VocabularyFiles {
  if (typeof source !== 'string') {
    for (const file of [source.vocabJson, source.mergesTxt]) {
      if (!existsSync(file)) throw new VocabularyError(file, 'no such file');
    }
    return { kind: 'hf', vocabJson: source.vocabJson, mergesTxt: source.mergesTxt };
  }
  if (!existsSync(source)) throw new VocabularyError(source, `no such file or folder; ${HOW_TO}`);
  if (statSync(source).isDirectory()) {
    const names = readdirSync(source);
    const hasVocab = names.includes('vocab.json');
    const hasMerges = names.includes('merges.txt');
    if (hasVocab && hasMerges) return pairFrom(source);
    if (hasMerges) {
      throw new VocabularyError(join(source, 'merges.txt'), 'has no vocab.json beside it; a Hugging Face vocabulary needs both files');
    }
    if (hasVocab) {
      throw new VocabularyError(join(source, 'vocab.json'), 'has no merges.txt beside it; a Hugging Face vocabulary needs both files');
    }
    const gz = names.filter((n) => n.endsWith('.txt.gz')).sort();
    if (gz.length === 1) return { kind: 'clip', merges: join(source, gz[0] as string) };
    if (gz.length > 1) throw new VocabularyError(source, `holds several merges files (${gz.join(', ')}); name the one to use`);
    throw new VocabularyError(source, `holds neither vocab.json + merges.txt nor a *.txt.gz merges file; ${HOW_TO}`);
  }
  const name = basename(source);
  if (name === 'vocab.json' || name === 'merges.txt') {
    const pair = pairFrom(dirname(source));
    const other = name === 'vocab.json' ? pair.mergesTxt : pair.vocabJson;
    if (!existsSync(other)) {
      throw new VocabularyError(source, `has no ${basename(other)} beside it; a Hugging Face vocabulary needs both files`);
    }
    return pair;
  }
  return { kind: 'clip', merges: source };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(data: Uint8Array, file: string): string {
  try {
    return utf8.decode(data);
  } catch {
    throw new VocabularyError(file, 'is not UTF-8 text');
  }
}

/** The merge lines of a CLIP or HF merges text, exactly as many as open_clip would read. */
export function parseMergeLines(text: string, file: string): MergeRule[] {
  const lines = text.split('\n');
  // open_clip drops the first line whatever it holds. The standard file's first line is
  // `"bpe_simple_vocab_16e6.txt#version: 0.2` (a leftover of how it was made), so a header is anything
  // holding "#version"; a first line without it is most likely a merge that open_clip would silently lose.
  const header = (lines[0] ?? '').replace(/\r$/, '');
  if (!header.includes('#version')) {
    const shown = header.length > 40 ? `${header.slice(0, 40)}...` : header;
    throw new VocabularyError(file, `first line is "${shown}", expected a "#version: ..." header as CLIP merges files have (open_clip skips the first line, so a merge there would be lost)`);
  }
  let end = lines.length;
  while (end > 1 && (lines[end - 1] as string).trim() === '') end--;
  end = Math.min(end, 1 + MAX_MERGES);
  const merges: MergeRule[] = [];
  for (let i = 1; i < end; i++) {
    const parts = (lines[i] as string).split(' ').map((p) => p.replace(/\r$/, '')).filter((p) => p.length > 0);
    if (parts.length !== 2) {
      throw new VocabularyError(file, `line ${i + 1} is "${lines[i]}"; each merge line must be two symbols separated by a space`);
    }
    merges.push([parts[0] as string, parts[1] as string]);
  }
  return merges;
}

const lineOf = (file: string) => (index: number) => `${file} line ${index + 2}`;

/** A CLIP merges file's bytes (gzip, or already unpacked text) to a vocabulary. */
export function parseClipMerges(data: Uint8Array, file: string): BpeVocabulary {
  let text: Uint8Array = data;
  if (data[0] === 0x1f && data[1] === 0x8b) {
    try {
      text = gunzipSync(data);
    } catch (err) {
      throw new VocabularyError(file, `is damaged gzip (${(err as Error).message}); download it again`);
    }
  } else if (file.endsWith('.gz')) {
    throw new VocabularyError(file, 'is named .gz but is not gzip data; download it again or name the unpacked text without .gz');
  }
  const merges = parseMergeLines(decodeUtf8(text, file), file);
  return vocabularyFromMerges(merges, file, lineOf(file));
}

function hfName(token: string): string {
  if (token === START_OF_TEXT) return HF_START_OF_TEXT;
  if (token === END_OF_TEXT) return HF_END_OF_TEXT;
  return token;
}

/** Hugging Face vocab.json + merges.txt texts to a vocabulary, checking that the two agree. */
export function parseHfVocabulary(vocabJsonText: string, mergesText: string, files: { vocabJson: string; mergesTxt: string }): BpeVocabulary {
  let parsed: unknown;
  try {
    parsed = JSON.parse(vocabJsonText);
  } catch (err) {
    throw new VocabularyError(files.vocabJson, `is not valid JSON (${jsonSyntaxProblem(err)})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new VocabularyError(files.vocabJson, 'must be a JSON object mapping each token to its id');
  }
  const given = new Map<string, number>();
  for (const [token, id] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
      throw new VocabularyError(files.vocabJson, `gives "${token}" the id ${JSON.stringify(id)}; ids must be non-negative integers`);
    }
    given.set(token, id);
  }
  const merges = parseMergeLines(mergesText, files.mergesTxt);
  const source = `${files.vocabJson} + ${files.mergesTxt}`;
  const vocabulary = vocabularyFromMerges(merges, source, lineOf(files.mergesTxt));
  const where = (id: number): string => {
    if (id < BASE_SYMBOLS) return 'a byte symbol';
    if (id < BASE_SYMBOLS + merges.length) return `made by ${files.mergesTxt} line ${id - BASE_SYMBOLS + 2}`;
    return 'a special token';
  };
  vocabulary.tokens.forEach((token, expected) => {
    const name = hfName(token);
    const id = given.get(name);
    if (id === undefined) {
      throw new VocabularyError(files.vocabJson, `has no entry for "${name}" (${where(expected)}, id ${expected}); vocab.json and merges.txt do not belong together`);
    }
    if (id !== expected) {
      throw new VocabularyError(
        files.vocabJson,
        `gives "${name}" id ${id}, but the merges put it at ${expected} (${where(expected)}); vocab.json and merges.txt do not belong together`,
      );
    }
  });
  if (given.size !== vocabulary.size) {
    const known = new Set(vocabulary.tokens.map(hfName));
    const extra = [...given.keys()].filter((t) => !known.has(t));
    throw new VocabularyError(
      files.vocabJson,
      `has ${given.size} entries but ${files.mergesTxt} gives ${vocabulary.size} (512 byte symbols + ${merges.length} merges + 2 specials); not made by a merge: ${extra
        .slice(0, 5)
        .map((t) => `"${t}"`)
        .join(', ')}`,
    );
  }
  return vocabulary;
}

function parseResolved(files: VocabularyFiles, read: (file: string) => Uint8Array): BpeVocabulary {
  if (files.kind === 'clip') return parseClipMerges(read(files.merges), files.merges);
  return parseHfVocabulary(decodeUtf8(read(files.vocabJson), files.vocabJson), decodeUtf8(read(files.mergesTxt), files.mergesTxt), files);
}

/** Loads a vocabulary from a CLIP .txt.gz, a vocab.json/merges.txt pair, or a folder with either. */
export function loadVocabularySync(source: VocabularySource): BpeVocabulary {
  return parseResolved(resolveVocabularyFiles(source), (file) => readFileSync(file));
}

export async function loadVocabulary(source: VocabularySource): Promise<BpeVocabulary> {
  const files = resolveVocabularyFiles(source);
  const paths = files.kind === 'clip' ? [files.merges] : [files.vocabJson, files.mergesTxt];
  const contents = new Map<string, Uint8Array>();
  await Promise.all(paths.map(async (p) => contents.set(p, await readFile(p))));
  return parseResolved(files, (file) => contents.get(file) as Uint8Array);
}

export interface SavedVocabularyFiles {
  clipGz: string;
  vocabJson: string;
  mergesTxt: string;
}

function mergesText(vocabulary: BpeVocabulary): string {
  return ['#version: 0.2', ...vocabulary.merges.map(([a, b]) => `${a} ${b}`)].join('\n');
}

function writeAtomically(file: string, data: string | Uint8Array): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, data);
  renameSync(temp, file);
}

/**
 * Writes both forms into `dir`: `<name>.txt.gz` (open_clip's `bpe_path`) and vocab.json + merges.txt.
 * The .gz has no trailing newline on purpose: open_clip would read an empty last line as one more merge.
 */
export function saveVocabulary(vocabulary: BpeVocabulary, dir: string, name = 'bpe_vocab'): SavedVocabularyFiles {
  const files = { clipGz: join(dir, `${name}.txt.gz`), vocabJson: join(dir, 'vocab.json'), mergesTxt: join(dir, 'merges.txt') };
  const merges = mergesText(vocabulary);
  writeAtomically(files.clipGz, gzipSync(Buffer.from(merges, 'utf8'), { level: 9 }));
  writeAtomically(files.mergesTxt, `${merges}\n`);
  // Written by hand to keep id order: JSON.stringify would move integer-like keys ("0".."9") to the front.
  const entries = vocabulary.tokens.map((token, id) => `${JSON.stringify(hfName(token))}: ${id}`);
  writeAtomically(files.vocabJson, `{\n${entries.join(',\n')}\n}\n`);
  return files;
}
