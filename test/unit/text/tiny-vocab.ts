/**
 * A hand-made six-merge vocabulary for the tests, written out in both file forms.
 * Ids by hand: byte symbols in bytes_to_unicode order ('!' 0 ... 'a' 64, 'c' 66, 'e' 68, 'h' 71, 't' 83),
 * end-of-word forms at +256 ('a</w>' 320, 'e</w>' 324, 't</w>' 339, '.</w>' 269), merges from 512 in
 * file order, then start 518 and end 519.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const TINY_MERGES = ['c a', 'ca t</w>', 'a t</w>', 'h a', 't h', 'th e</w>'];
export const TINY_IDS = { ca: 512, 'cat</w>': 513, 'at</w>': 514, ha: 515, th: 516, 'the</w>': 517, sot: 518, eot: 519, size: 520 };

// Written out here rather than imported, so the tests do not borrow the table they check.
export function printableFirstOrder(): string[] {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const rest: number[] = [];
  for (let b = 0; b < 256; b++) if (!printable.includes(b)) rest.push(b);
  return [...printable.map((b) => String.fromCharCode(b)), ...rest.map((_, i) => String.fromCharCode(256 + i))];
}

export function tinyMergesText(trailingNewline = true): string {
  return `#version: 0.2\n${TINY_MERGES.join('\n')}${trailingNewline ? '\n' : ''}`;
}

export function tinyVocabJson(): Record<string, number> {
  const symbols = printableFirstOrder();
  const tokens = [...symbols, ...symbols.map((s) => `${s}</w>`), ...TINY_MERGES.map((m) => m.replace(' ', '')), '<|startoftext|>', '<|endoftext|>'];
  return Object.fromEntries(tokens.map((t, i) => [t, i]));
}

export function tempDir(prefix = 'clipwb-text-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes the tiny vocabulary as bpe.txt.gz in one folder and vocab.json + merges.txt in another. */
export function writeTinyVocabulary(): { gz: string; gzDir: string; hfDir: string } {
  const gzDir = tempDir();
  const hfDir = tempDir();
  const gz = join(gzDir, 'bpe_tiny.txt.gz');
  writeFileSync(gz, gzipSync(Buffer.from(tinyMergesText(false))));
  writeFileSync(join(hfDir, 'vocab.json'), JSON.stringify(tinyVocabJson()));
  writeFileSync(join(hfDir, 'merges.txt'), tinyMergesText());
  return { gz, gzDir, hfDir };
}
