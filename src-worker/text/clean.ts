/**
 * Caption cleaning before pre-tokenisation, as open_clip's `_clean_lower`:
 * `whitespace_clean(basic_clean(text)).lower()` with
 * `basic_clean = strip(html.unescape(html.unescape(ftfy.fix_text(text))))`.
 *
 * ftfy is Python-only. We reproduce the parts of `fix_text` (default settings) that are simple table
 * look-ups: its own HTML-entity pass (repeated until the text stops changing, skipped when the text has
 * a literal '<'), terminal escape removal, C1 controls read as Windows-1252, Latin ligatures, full-width
 * characters, curly quotes, lone surrogates, control characters, then Unicode NFC.
 * NOT reproduced: ftfy's mojibake repair (`fix_encoding`: "cafÃ©" -> "café" and its relatives
 * `restore_byte_a0`, `replace_lossy_sequences`, `decode_inconsistent_utf8`). A caption that is mojibake
 * therefore tokenises differently here than in open_clip; clean captions tokenise identically.
 */
import { WINDOWS_1252_C1, unescapeHtml, unescapeHtmlLikeFtfy } from './html-entities';

const LIGATURES = 'ĲĳŉǄǅǆǇǈǉǊǋǌǱǲǳﬀﬁﬂﬃﬄﬅﬆ';

/** ftfy's character-level replacements (ligatures, widths, quotes, C1, controls), one table. */
const CHAR_FIXES: ReadonlyMap<number, string> = (() => {
  const table = new Map<number, string>();
  const quote = (ch: string): string => (/[\u02bc\u2018-\u201b]/.test(ch) ? "'" : /[\u201c-\u201f]/.test(ch) ? '"' : ch);
  // ftfy uncurls quotes after reading C1 controls as Windows-1252, so 0x91 ends up as a straight quote.
  for (let cp = 0x80; cp <= 0x9f; cp++) table.set(cp, quote(WINDOWS_1252_C1[cp - 0x80] as string));
  for (const ch of LIGATURES) table.set(ch.codePointAt(0) as number, ch.normalize('NFKC'));
  table.set(0x3000, ' ');
  for (let cp = 0xff01; cp < 0xfff0; cp++) {
    const ch = String.fromCodePoint(cp);
    const alt = ch.normalize('NFKC');
    if (alt !== ch) table.set(cp, alt);
  }
  table.set(0x02bc, "'");
  for (let cp = 0x2018; cp <= 0x201b; cp++) table.set(cp, "'");
  for (let cp = 0x201c; cp <= 0x201f; cp++) table.set(cp, '"');
  return table;
})();

const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000e-\u001f\u007f\u206a-\u206f\ufeff\ufff9-\ufffc]/g;
const TERMINAL_ESCAPE = /\u001b\[[\d;]*[a-zA-Z]/g;
const HAS_SURROGATE = /[\ud800-\udfff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

// C1 controls live in 0x80..0x9F, the rest of the table well above ASCII; one scan tells whether any applies.
const NEEDS_CHAR_FIX = /[\u0080-\u009f\u0132\u0133\u0149\u01c4-\u01cc\u01f1-\u01f3\ufb00-\ufb06\u3000\uff01-\uffef\u02bc\u2018-\u201f]/;
const CHAR_FIX_ALL = new RegExp(NEEDS_CHAR_FIX.source, 'g');

function fixCharacters(text: string): string {
  if (!NEEDS_CHAR_FIX.test(text)) return text;
  return text.replace(CHAR_FIX_ALL, (ch) => CHAR_FIXES.get(ch.codePointAt(0) as number) ?? ch);
}

function ftfyPass(text: string, unescape: boolean): string {
  let out = unescape ? unescapeHtmlLikeFtfy(text) : text;
  out = fixCharacters(out);
  if (out.includes('\u001b')) out = out.replace(TERMINAL_ESCAPE, '');
  if (HAS_SURROGATE.test(out)) out = out.replace(LONE_SURROGATE, '\ufffd');
  out = out.replace(CONTROL_CHARS, '');
  return out.normalize('NFC');
}

function fixSegment(segment: string, unescape: boolean): string {
  let current = segment;
  // ftfy repeats its steps until nothing changes; each entity pass only shortens the text, so this ends.
  // The character steps are idempotent, so only an entity or an escape left over can need another pass.
  for (;;) {
    const next = ftfyPass(current, unescape);
    if (next === current) return next;
    if (!(unescape && next.includes('&')) && !next.includes('\u001b')) return next;
    current = next;
  }
}

/**
 * The subset of ftfy.fix_text we can do exactly (see the file comment). Like ftfy, it works line by
 * line, and stops unescaping entities from the first line with a literal '<' on (HTML source, not text).
 */
export function fixTextLikeFtfy(text: string): string {
  if (!text.includes('\n')) return fixSegment(text, !text.includes('<'));
  let unescape = true;
  let out = '';
  for (const segment of text.split(/(?<=\n)/)) {
    if (segment.includes('<')) unescape = false;
    out += fixSegment(segment, unescape);
  }
  return out;
}

// Python's str.isspace set (what `re.sub(r'\s+', ' ')` and `str.strip()` use on str), not JavaScript's \s.
const PY_WHITESPACE_RUN = /[\t\n\v\f\r\u001c-\u001f \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;

// Anything whitespaceClean would change: a space that is not ' ', two spaces, or one at either end.
const NEEDS_WHITESPACE_CLEAN = /[\t\n\v\f\r\u001c-\u001f\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]| {2}|^ | $/;

function whitespaceClean(text: string): string {
  if (!NEEDS_WHITESPACE_CLEAN.test(text)) return text;
  return text.replace(PY_WHITESPACE_RUN, ' ').replace(/^ | $/g, '');
}

// Printable ASCII without '&': nothing for ftfy, html.unescape or NFC to do. Most captions take this path.
const PLAIN_ASCII = /^[\x20-\x25\x27-\x7e]*$/;

/** open_clip's caption cleaning, see the file comment for the one part (mojibake repair) we skip. */
export function cleanText(text: string): string {
  if (PLAIN_ASCII.test(text)) return whitespaceClean(text).toLowerCase();
  const fixed = unescapeHtml(unescapeHtml(fixTextLikeFtfy(text)));
  return whitespaceClean(fixed).toLowerCase();
}
