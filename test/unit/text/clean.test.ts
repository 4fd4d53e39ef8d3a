import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cleanText } from '../../../src-worker/text/clean';
import { unescapeHtml } from '../../../src-worker/text/html-entities';
import { preTokenize } from '../../../src-worker/text/pre-tokenize';

describe('cleanText', () => {
  it('lower-cases, strips and collapses every kind of whitespace to one space', () => {
    expect(cleanText('  A Photo\tOF\n\na   CAT  ')).toBe('a photo of a cat');
    // no-break space, ideographic space, line separator: Python's \s covers them
    expect(cleanText('dog\u00a0on\u3000the\u2028grass')).toBe('dog on the grass');
    expect(cleanText('')).toBe('');
    expect(cleanText(' \t\n ')).toBe('');
  });

  it('unescapes HTML entities: named, numeric, and doubly escaped', () => {
    expect(cleanText('Salt &amp; Pepper')).toBe('salt & pepper');
    expect(cleanText('it&#39;s &#x27;ok&#X27; &quot;fine&quot;')).toBe(`it's 'ok' "fine"`);
    expect(cleanText('caf&eacute; &lt;3')).toBe('café <3');
    expect(cleanText('Tom &amp;amp; Jerry')).toBe('tom & jerry');
  });

  it('repeats ftfy entity pass until stable unless the text has a literal <', () => {
    // ftfy's own pass runs to a fixed point, then open_clip unescapes twice more.
    expect(cleanText('a &amp;amp;amp;amp; b')).toBe('a & b');
    // With '<' present ftfy leaves entities alone; only open_clip's two passes apply.
    expect(cleanText('<b> &amp;amp;amp;')).toBe('<b> &amp;');
    // ftfy decides line by line, and stops for good at the first line with a '<'
    expect(cleanText('caf&EACUTE;\n<b> &amp;amp;amp;')).toBe('café <b> &amp;');
    expect(cleanText('<b>\ncaf&EACUTE;')).toBe('<b> caf&eacute;');
  });

  it("follows Python's html.unescape on the odd cases", () => {
    expect(unescapeHtml('&ampfoo')).toBe('&foo'); // longest legacy name without ';'
    expect(unescapeHtml('&notit;')).toBe('¬it;');
    expect(unescapeHtml('&eacute')).toBe('é');
    expect(unescapeHtml('&hellip')).toBe('&hellip'); // not a legacy name: needs ';'
    expect(unescapeHtml('&hellip;')).toBe('…');
    expect(unescapeHtml('&#150;')).toBe('\u2013'); // Windows-1252 reading of 0x96
    expect(unescapeHtml('&#0;')).toBe('\ufffd');
    expect(unescapeHtml('&#1;x')).toBe('x');
    expect(unescapeHtml('&#99999999999999999999;')).toBe('\ufffd');
    expect(unescapeHtml('&nosuch;')).toBe('&nosuch;');
    expect(unescapeHtml('AT&T')).toBe('AT&T');
  });

  it('does the table-driven parts of ftfy: quotes, ligatures, full width, controls, NFC', () => {
    expect(cleanText('the dog\u2019s \u201cball\u201d')).toBe(`the dog's "ball"`);
    expect(cleanText('\ufb01sh \ufb02ower')).toBe('fish flower');
    expect(cleanText('\u013f \u0140')).toBe('\u0140 \u0140'); // not in ftfy's ligature list
    expect(cleanText('\uff21\uff22\uff23\uff11\uff12')).toBe('abc12');
    expect(cleanText('bell\u0007 zero\u200bwidth? \ufeffbom')).toBe('bell zero\u200bwidth? bom');
    expect(cleanText('\u001b[31mred\u001b[0m text')).toBe('red text');
    expect(cleanText('cafe\u0301')).toBe('café'); // e + combining acute composes
    expect(cleanText('\u0093quoted\u0094')).toBe('"quoted"'); // C1 controls read as Windows-1252
  });

  it('keeps non-Latin text, lower-casing where the script has case', () => {
    expect(cleanText('ΚΑΛΗΜΕΡΑ Κόσμε')).toBe('καλημερα κόσμε');
    expect(cleanText('日本語 テキスト')).toBe('日本語 テキスト');
  });
});

interface CleanCase {
  text: string;
  clean: string;
  words: string[];
}

describe('agreement with ftfy + regex (test/fixtures/text/clean-cases.json)', () => {
  const fixture = JSON.parse(readFileSync(new URL('../../fixtures/text/clean-cases.json', import.meta.url), 'utf8')) as {
    generator: string;
    cases: CleanCase[];
  };

  it(`cleans and pre-tokenises like open_clip (${fixture.generator})`, () => {
    expect(fixture.cases.length).toBeGreaterThan(300);
    const wrong = fixture.cases.filter((c) => cleanText(c.text) !== c.clean || JSON.stringify(preTokenize(cleanText(c.text))) !== JSON.stringify(c.words));
    expect(wrong.map((c) => ({ text: c.text, expected: c.clean, got: cleanText(c.text) }))).toEqual([]);
  });
});
