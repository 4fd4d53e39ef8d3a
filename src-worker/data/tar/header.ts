/**
 * The 512-byte tar header: parsing (ustar, GNU, pax-compatible) and encoding (ustar).
 *
 * Field offsets follow POSIX ustar. GNU tar writes the magic "ustar  \0" and puts other data where
 * ustar keeps the name prefix, so the prefix is only honoured under the POSIX magic "ustar\0".
 */

export const BLOCK = 512;

export interface TarHeader {
  name: string;
  size: number;
  /** '0' regular file, '5' directory, 'L' GNU long name, 'x' pax header, 'g' pax global header, ... */
  type: string;
  mtime: number;
}

export type HeaderParse =
  | { kind: 'header'; header: TarHeader }
  | { kind: 'zero' }
  | { kind: 'bad-checksum' };

export function parseHeader(block: Buffer): HeaderParse {
  if (block.length !== BLOCK) throw new Error(`tar header must be ${BLOCK} bytes, got ${block.length}`);
  if (isZeroBlock(block)) return { kind: 'zero' };
  if (!checksumMatches(block)) return { kind: 'bad-checksum' };
  const size = parseNumeric(block, 124, 12);
  const mtime = parseNumeric(block, 136, 12);
  if (size === undefined || size < 0 || mtime === undefined) return { kind: 'bad-checksum' };
  const typeByte = block[156] ?? 0;
  const type = typeByte === 0 ? '0' : String.fromCharCode(typeByte);
  let name = readString(block, 0, 100);
  const magic = block.toString('latin1', 257, 263);
  if (magic === 'ustar\0') {
    const prefix = readString(block, 345, 155);
    if (prefix) name = `${prefix}/${name}`;
  }
  return { kind: 'header', header: { name, size, type, mtime } };
}

function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < BLOCK; i += 4) {
    if (block.readUInt32LE(i) !== 0) return false;
  }
  return true;
}

/** The checksum counts the checksum field as eight spaces; some old writers summed signed bytes. */
function checksumMatches(block: Buffer): boolean {
  const stored = parseOctal(block, 148, 8);
  if (stored === undefined) return false;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : (block[i] as number);
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}

function readString(block: Buffer, offset: number, length: number): string {
  let end = offset;
  const limit = offset + length;
  while (end < limit && block[end] !== 0) end++;
  return block.toString('utf8', offset, end);
}

function parseOctal(block: Buffer, offset: number, length: number): number | undefined {
  const text = block.toString('latin1', offset, offset + length).replace(/[\0 ]+$/, '').replace(/^[ \0]+/, '');
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) return undefined;
  return parseInt(text, 8);
}

/** GNU tar stores numbers too large for octal as big-endian base-256 with the top bit set. */
function parseNumeric(block: Buffer, offset: number, length: number): number | undefined {
  const first = block[offset] as number;
  if ((first & 0x80) === 0) return parseOctal(block, offset, length);
  if (first === 0xff) return undefined; // negative base-256: nonsense for sizes and our mtimes
  let value = first & 0x7f;
  for (let i = 1; i < length; i++) value = value * 256 + (block[offset + i] as number);
  return Number.isSafeInteger(value) ? value : undefined;
}

/**
 * Parses pax extended header records ("<len> <key>=<value>\n", len counting the whole record).
 * Malformed records end the parse; what was read before them is kept.
 */
export function parsePaxRecords(data: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space < 0) break;
    const len = Number(data.toString('latin1', pos, space));
    if (!Number.isInteger(len) || len <= 0 || pos + len > data.length) break;
    const record = data.toString('utf8', space + 1, pos + len - 1);
    const eq = record.indexOf('=');
    if (eq > 0) records.set(record.slice(0, eq), record.slice(eq + 1));
    pos += len;
  }
  return records;
}

export function encodePaxRecords(records: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  for (const [key, value] of Object.entries(records)) {
    const body = ` ${key}=${value}\n`;
    const bodyLen = Buffer.byteLength(body);
    // The length prefix counts its own digits, which can change the digit count once.
    let len = bodyLen + String(bodyLen).length;
    if (String(len).length !== String(bodyLen).length) len = bodyLen + String(len).length;
    parts.push(Buffer.from(`${len}${body}`, 'utf8'));
  }
  return Buffer.concat(parts);
}

export interface EncodeHeaderOptions {
  name: string;
  size: number;
  type?: string;
  mtime?: number;
  mode?: number;
  /** ustar name prefix (up to 155 bytes); the writer decides how to split long names. */
  prefix?: string;
}

export function encodeHeader(opts: EncodeHeaderOptions): Buffer {
  const block = Buffer.alloc(BLOCK, 0);
  writeString(block, 0, 100, opts.name);
  writeOctal(block, 100, 8, opts.mode ?? (opts.type === '5' ? 0o755 : 0o644));
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeOctal(block, 124, 12, opts.size);
  writeOctal(block, 136, 12, Math.max(0, Math.floor(opts.mtime ?? 0)));
  block.fill(0x20, 148, 156);
  block.write(opts.type ?? '0', 156, 1, 'latin1');
  block.write('ustar\0', 257, 6, 'latin1');
  block.write('00', 263, 2, 'latin1');
  if (opts.prefix) writeString(block, 345, 155, opts.prefix);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += block[i] as number;
  writeOctal(block, 148, 7, sum);
  block[155] = 0x20;
  return block;
}

function writeString(block: Buffer, offset: number, length: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length > length) throw new Error(`tar header field too long (${bytes.length} > ${length} bytes): ${text}`);
  bytes.copy(block, offset);
}

/** Octal digits zero-padded to length-1, then a NUL terminator. */
function writeOctal(block: Buffer, offset: number, length: number, value: number): void {
  const digits = value.toString(8);
  if (digits.length > length - 1) throw new Error(`tar header number ${value} does not fit ${length - 1} octal digits`);
  block.write(digits.padStart(length - 1, '0') + '\0', offset, length, 'latin1');
}

export function paddingFor(size: number): number {
  const rem = size % BLOCK;
  return rem === 0 ? 0 : BLOCK - rem;
}
