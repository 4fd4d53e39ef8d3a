/**
 * CLIP's byte-level alphabet: every byte 0..255 gets one printable Unicode character, so merges can be
 * written as plain text and no byte is ever "unknown". The order of the table is also the order of the
 * first 256 token ids, so it must match open_clip's `bytes_to_unicode` exactly: the printable Latin-1
 * bytes first, in byte order, then the remaining bytes mapped to U+0100 onwards.
 */

function buildByteOrder(): { bytes: number[]; chars: string[] } {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const isPrintable = new Set(printable);
  const bytes = [...printable];
  const codePoints = [...printable];
  let shifted = 0;
  for (let b = 0; b < 256; b++) {
    if (isPrintable.has(b)) continue;
    bytes.push(b);
    codePoints.push(256 + shifted);
    shifted++;
  }
  return { bytes, chars: codePoints.map((cp) => String.fromCodePoint(cp)) };
}

const order = buildByteOrder();

/** Symbol strings in id order: ids 0..255 of every CLIP vocabulary. */
export const BYTE_SYMBOLS: readonly string[] = order.chars;

/** Symbol character for each byte value. */
export const SYMBOL_OF_BYTE: readonly string[] = (() => {
  const table = new Array<string>(256);
  order.bytes.forEach((b, i) => {
    table[b] = order.chars[i] as string;
  });
  return table;
})();

/** Byte value of each symbol character; used by decode. */
export const BYTE_OF_SYMBOL: ReadonlyMap<string, number> = new Map(order.chars.map((c, i) => [c, order.bytes[i] as number]));

export const END_OF_WORD = '</w>';

const utf8 = new TextEncoder();

/** The UTF-8 bytes of `text`, each replaced by its symbol character. */
export function toByteSymbols(text: string): string {
  const bytes = utf8.encode(text);
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += SYMBOL_OF_BYTE[bytes[i] as number];
  return out;
}

/** Inverse of toByteSymbols; characters outside the alphabet are an error (they cannot come from a token). */
export function fromByteSymbols(symbols: string): Uint8Array {
  const out = new Uint8Array(symbols.length);
  let n = 0;
  for (const ch of symbols) {
    const b = BYTE_OF_SYMBOL.get(ch);
    if (b === undefined) throw new Error(`character U+${ch.codePointAt(0)?.toString(16).toUpperCase()} is not a CLIP byte symbol`);
    out[n++] = b;
  }
  return out.subarray(0, n);
}
