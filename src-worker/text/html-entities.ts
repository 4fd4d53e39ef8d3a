/**
 * HTML character references, decoded the way Python's `html.unescape` does (open_clip runs it twice on
 * every caption). Python knows all 2,231 HTML5 names; we carry the HTML 4 set (the Latin-1 letters,
 * Greek, arrows, maths, typography) plus `apos` and the upper-case aliases HTML5 defines, which covers
 * what shows up in web captions. A rare HTML5-only name (`&NotNestedGreaterGreater;`) is left as written.
 */

// Latin-1 names in code-point order 0xA0..0xFF. HTML also accepts these without the trailing ';'.
const LATIN1_NAMES = (
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr ' +
  'deg plusmn sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest ' +
  'Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ' +
  'ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig ' +
  'agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml ' +
  'eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml'
).split(' ');

const GREEK_UPPER = 'Alpha Beta Gamma Delta Epsilon Zeta Eta Theta Iota Kappa Lambda Mu Nu Xi Omicron Pi Rho'.split(' ');
const GREEK_UPPER_AFTER_RHO = 'Sigma Tau Upsilon Phi Chi Psi Omega'.split(' ');
const GREEK_LOWER = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigmaf sigma tau upsilon phi chi psi omega'.split(' ');

const OTHER: ReadonlyArray<readonly [string, number]> = [
  ['quot', 34], ['amp', 38], ['apos', 39], ['lt', 60], ['gt', 62],
  ['QUOT', 34], ['AMP', 38], ['LT', 60], ['GT', 62], ['COPY', 169], ['REG', 174], ['TRADE', 8482],
  ['OElig', 338], ['oelig', 339], ['Scaron', 352], ['scaron', 353], ['Yuml', 376], ['fnof', 402],
  ['circ', 710], ['tilde', 732], ['thetasym', 977], ['upsih', 978], ['piv', 982],
  ['ensp', 8194], ['emsp', 8195], ['thinsp', 8201], ['zwnj', 8204], ['zwj', 8205], ['lrm', 8206], ['rlm', 8207],
  ['ndash', 8211], ['mdash', 8212], ['lsquo', 8216], ['rsquo', 8217], ['sbquo', 8218], ['ldquo', 8220],
  ['rdquo', 8221], ['bdquo', 8222], ['dagger', 8224], ['Dagger', 8225], ['bull', 8226], ['hellip', 8230],
  ['permil', 8240], ['prime', 8242], ['Prime', 8243], ['lsaquo', 8249], ['rsaquo', 8250], ['oline', 8254],
  ['frasl', 8260], ['euro', 8364], ['image', 8465], ['weierp', 8472], ['real', 8476], ['trade', 8482],
  ['alefsym', 8501], ['larr', 8592], ['uarr', 8593], ['rarr', 8594], ['darr', 8595], ['harr', 8596],
  ['crarr', 8629], ['lArr', 8656], ['uArr', 8657], ['rArr', 8658], ['dArr', 8659], ['hArr', 8660],
  ['forall', 8704], ['part', 8706], ['exist', 8707], ['empty', 8709], ['nabla', 8711], ['isin', 8712],
  ['notin', 8713], ['ni', 8715], ['prod', 8719], ['sum', 8721], ['minus', 8722], ['lowast', 8727],
  ['radic', 8730], ['prop', 8733], ['infin', 8734], ['ang', 8736], ['and', 8743], ['or', 8744],
  ['cap', 8745], ['cup', 8746], ['int', 8747], ['there4', 8756], ['sim', 8764], ['cong', 8773],
  ['asymp', 8776], ['ne', 8800], ['equiv', 8801], ['le', 8804], ['ge', 8805], ['sub', 8834], ['sup', 8835],
  ['nsub', 8836], ['sube', 8838], ['supe', 8839], ['oplus', 8853], ['otimes', 8855], ['perp', 8869],
  ['sdot', 8901], ['lceil', 8968], ['rceil', 8969], ['lfloor', 8970], ['rfloor', 8971],
  // HTML5 moved these two from U+2329/U+232A to the mathematical angle brackets.
  ['lang', 0x27e8], ['rang', 0x27e9],
  ['loz', 9674], ['spades', 9824], ['clubs', 9827], ['hearts', 9829], ['diams', 9830],
];

/** Name (without '&' and ';') to replacement text. */
export const ENTITY_TEXT: ReadonlyMap<string, string> = (() => {
  const table = new Map<string, string>();
  LATIN1_NAMES.forEach((name, i) => table.set(name, String.fromCodePoint(0xa0 + i)));
  GREEK_UPPER.forEach((name, i) => table.set(name, String.fromCodePoint(0x391 + i)));
  GREEK_UPPER_AFTER_RHO.forEach((name, i) => table.set(name, String.fromCodePoint(0x3a3 + i)));
  GREEK_LOWER.forEach((name, i) => table.set(name, String.fromCodePoint(0x3b1 + i)));
  for (const [name, cp] of OTHER) table.set(name, String.fromCodePoint(cp));
  return table;
})();

/** Names HTML accepts without ';' (Python's html5 table lists them both ways). */
const LEGACY_NAMES: ReadonlySet<string> = new Set([...LATIN1_NAMES, 'quot', 'amp', 'lt', 'gt', 'QUOT', 'AMP', 'LT', 'GT', 'COPY', 'REG']);

/**
 * Numeric references that HTML maps elsewhere: 0x80..0x9F are read as Windows-1252 (the bytes web pages
 * actually meant); the five holes in Windows-1252 stay as they are.
 */
export const WINDOWS_1252_C1: readonly string[] = [
  0x20ac, 0x81, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d, 0x017d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x9d, 0x017e, 0x0178,
].map((cp) => String.fromCodePoint(cp));

function isDroppedCodePoint(cp: number): boolean {
  return (
    (cp >= 0x1 && cp <= 0x8) ||
    cp === 0xb ||
    (cp >= 0xe && cp <= 0x1f) ||
    (cp >= 0x7f && cp <= 0x9f) ||
    (cp >= 0xfdd0 && cp <= 0xfdef) ||
    (cp & 0xfffe) === 0xfffe
  );
}

/** The text a numeric reference stands for, with HTML's repairs (Python's `_replace_charref`). */
export function numericReferenceText(cp: number): string {
  if (cp === 0) return '\ufffd';
  if (cp === 0x0d) return '\r';
  if (cp >= 0x80 && cp <= 0x9f) return WINDOWS_1252_C1[cp - 0x80] as string;
  if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff || !Number.isFinite(cp)) return '\ufffd';
  if (isDroppedCodePoint(cp)) return '';
  return String.fromCodePoint(cp);
}

const CHARREF = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/g;

function parseNumber(digits: string, radix: number): number {
  // Long digit runs overflow to Infinity, which numericReferenceText turns into U+FFFD as Python does.
  return radix === 16 ? Number.parseInt(digits, 16) : Number(digits);
}

function replaceReference(whole: string, ref: string): string {
  if (ref.charCodeAt(0) === 0x23 /* # */) {
    const hex = ref[1] === 'x' || ref[1] === 'X';
    const digits = ref.slice(hex ? 2 : 1).replace(/;$/, '');
    return numericReferenceText(parseNumber(digits, hex ? 16 : 10));
  }
  if (ref.endsWith(';')) {
    const named = ENTITY_TEXT.get(ref.slice(0, -1));
    if (named !== undefined) return named;
  } else if (LEGACY_NAMES.has(ref)) {
    return ENTITY_TEXT.get(ref) as string;
  }
  // HTML takes the longest legacy name that starts the run: "&ampfoo" is "&foo".
  for (let len = ref.length - 1; len > 1; len--) {
    const prefix = ref.slice(0, len);
    if (LEGACY_NAMES.has(prefix)) return (ENTITY_TEXT.get(prefix) as string) + ref.slice(len);
  }
  return whole;
}

/** Python's `html.unescape`. */
export function unescapeHtml(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(CHARREF, replaceReference);
}

const FTFY_ENTITY = /&#?[0-9A-Za-z]{1,24};/g;

function replaceFtfyEntity(whole: string): string {
  if (whole[1] === '#') {
    const decoded = unescapeHtml(whole);
    return decoded.includes(';') ? whole : decoded;
  }
  const name = whole.slice(1, -1);
  const direct = ENTITY_TEXT.get(name);
  if (direct !== undefined) return direct;
  // ftfy also reads an all-capitals spelling of a lower-case name ("&EACUTE;" is "É").
  const lower = name.toLowerCase();
  if (name === name.toUpperCase() && lower !== name) {
    const lowered = ENTITY_TEXT.get(lower);
    if (lowered !== undefined) return lowered.toUpperCase();
  }
  return whole;
}

/** The entity step of ftfy's `fix_text`: only complete `&...;` references, one pass. */
export function unescapeHtmlLikeFtfy(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(FTFY_ENTITY, replaceFtfyEntity);
}
