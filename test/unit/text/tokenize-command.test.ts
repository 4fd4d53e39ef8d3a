import { describe, expect, it } from 'vitest';
import { tokenizeCommand } from '../../../src-worker/text/tokenize-command';
import { writeTinyVocabulary } from './tiny-vocab';

const tiny = writeTinyVocabulary();

describe('tokenizeCommand', () => {
  it('prints the ids and tokens of each text', () => {
    const out = tokenizeCommand({ vocab: tiny.gz, texts: ['The cat.', 'hat'], contextLength: 8 });
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^# vocabulary: .*bpe_tiny\.txt\.gz: 520 ids \(start_of_text 518, end_of_text 519\); context length 8$/);
    expect(lines.slice(1)).toEqual([
      'The cat.',
      '  ids:    518 517 513 269 519',
      '  tokens: <start_of_text> the</w> cat</w> .</w> <end_of_text>',
      '  (5 of 8 positions; the rest are 0)',
      'hat',
      '  ids:    518 71 514 519',
      '  tokens: <start_of_text> h at</w> <end_of_text>',
      '  (4 of 8 positions; the rest are 0)',
    ]);
  });

  it('says when a text was cut', () => {
    const out = tokenizeCommand({ vocab: tiny.hfDir, texts: ['a a a a a'], contextLength: 4 });
    expect(out).toContain('  ids:    518 320 320 519\n');
    expect(out).toContain('(cut to 4 ids; the last is forced to end_of_text)');
  });

  it('rejects missing or bad arguments naming the flag', () => {
    expect(() => tokenizeCommand({ vocab: '', texts: ['a'] })).toThrow(/--vocab is required/);
    expect(() => tokenizeCommand({ vocab: tiny.gz, texts: [] })).toThrow(/at least one text/);
    expect(() => tokenizeCommand({ vocab: tiny.gz, texts: ['a'], contextLength: 1 })).toThrow(/--context-length must be an integer >= 2/);
    expect(() => tokenizeCommand({ vocab: '/nonexistent/v.txt.gz', texts: ['a'] })).toThrow(/no such file or folder/);
  });
});
