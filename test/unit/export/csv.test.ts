import { describe, expect, it } from 'vitest';
import { csvChunks, csvField, csvRow, csvToString, formatCsvValue } from '../../../src-shared/csv';
import { flattenJson } from '../../../src-main/export/flatten';
import { parseRfc4180 } from './rfc4180';

describe('CSV fields (RFC 4180)', () => {
  it('leaves plain text alone and quotes fields with a comma, a quote, CR or LF', () => {
    expect(csvField('plain text')).toBe('plain text');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line1\nline2')).toBe('"line1\nline2"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField('"')).toBe('""""');
  });

  it('formats numbers so they read back to the same double, and keeps NaN and infinities as words', () => {
    expect(formatCsvValue(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(Number(formatCsvValue(1e-7))).toBe(1e-7);
    expect(formatCsvValue(Number.NaN)).toBe('NaN');
    expect(formatCsvValue(Infinity)).toBe('Infinity');
    expect(formatCsvValue(-Infinity)).toBe('-Infinity');
    expect(formatCsvValue(null)).toBe('');
    expect(formatCsvValue(undefined)).toBe('');
    expect(formatCsvValue(true)).toBe('true');
    expect(formatCsvValue(new Date(Date.UTC(2026, 0, 2, 3, 4, 5)))).toBe('2026-01-02T03:04:05.000Z');
  });

  it('ends every record with CRLF', () => {
    expect(csvRow(['a', 1, null])).toBe('a,1,\r\n');
  });

  it('round-trips awkward text through a strict parser, with and without a BOM', () => {
    const nasty = [
      'comma, inside',
      'quote " inside',
      '"starts and ends with quotes"',
      'multi\r\nline\nmixed\rbreaks',
      'ünïcödé — 日本語 🚀',
      '',
      '  spaces kept  ',
    ];
    const rows = [nasty, nasty.map((_, i) => String(i))];
    for (const bom of [false, true]) {
      const text = csvToString(csvChunks(['name', 'b', 'c', 'd', 'e', 'f', 'g'], rows, { bom }));
      expect(text.startsWith('\uFEFF')).toBe(bom);
      const parsed = parseRfc4180(bom ? text.slice(1) : text);
      expect(parsed).toEqual([['name', 'b', 'c', 'd', 'e', 'f', 'g'], ...rows]);
    }
  });

  it('yields large tables in several chunks whose concatenation is the whole file', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => [i, `r${i}`]);
    const chunks = [...csvChunks(['i', 'name'], rows)];
    expect(chunks.length).toBeGreaterThan(1);
    const parsed = parseRfc4180(chunks.join(''));
    expect(parsed).toHaveLength(5001);
    expect(parsed[5000]).toEqual(['4999', 'r4999']);
  });

  it('the test parser itself rejects CSV that breaks the RFC', () => {
    expect(() => parseRfc4180('a,b\n')).toThrow();
    expect(() => parseRfc4180('a"b,c\r\n')).toThrow();
    expect(() => parseRfc4180('"a"b\r\n')).toThrow();
    expect(() => parseRfc4180('"open\r\n')).toThrow();
  });
});

describe('config flattening', () => {
  it('turns nested objects into dotted names and keeps arrays as one JSON cell', () => {
    const flat = flattenJson({ lr: 0.001, optim: { betas: [0.9, 0.98], sched: { kind: 'cosine' } }, empty: {}, none: null }, 'config');
    expect(Object.fromEntries(flat)).toEqual({
      'config.lr': 0.001,
      'config.optim.betas': '[0.9,0.98]',
      'config.optim.sched.kind': 'cosine',
      'config.empty': '{}',
      'config.none': null,
    });
  });
});
