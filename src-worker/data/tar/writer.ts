/**
 * A small ustar writer for the dataset builder and the tests. Output is deterministic (owner 0,
 * mtime as given, default 0) so that rebuilt shards hash the same. Names longer than ustar's 100
 * bytes go into the 155-byte prefix when a '/' allows it, otherwise into a pax `path` record.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { BLOCK, encodeHeader, encodePaxRecords, paddingFor } from './header';

export interface TarMemberInput {
  name: string;
  data: Buffer | Uint8Array | string;
  mtime?: number;
}

const END_OF_ARCHIVE = Buffer.alloc(BLOCK * 2, 0);
const ZEROS = Buffer.alloc(BLOCK, 0);

/** Encodes one member (its headers, data and padding) as a list of buffers. */
export function encodeMember(member: TarMemberInput): Buffer[] {
  const data = typeof member.data === 'string' ? Buffer.from(member.data, 'utf8') : Buffer.from(member.data.buffer, member.data.byteOffset, member.data.byteLength);
  const mtime = member.mtime ?? 0;
  const out: Buffer[] = [];
  const split = splitUstarName(member.name);
  if (!split) {
    const records = encodePaxRecords({ path: member.name });
    out.push(encodeHeader({ name: 'PaxHeader', size: records.length, type: 'x', mtime }), records, ZEROS.subarray(0, paddingFor(records.length)));
  }
  const name = split ? split.name : tailWithinBytes(member.name, 100);
  out.push(encodeHeader({ name, prefix: split?.prefix, size: data.length, type: '0', mtime }), data, ZEROS.subarray(0, paddingFor(data.length)));
  return out;
}

function splitUstarName(name: string): { name: string; prefix?: string } | undefined {
  const bytes = Buffer.byteLength(name);
  if (bytes <= 100) return { name };
  for (let i = name.indexOf('/'); i >= 0; i = name.indexOf('/', i + 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100 && rest.length > 0) return { name: rest, prefix };
  }
  return undefined;
}

/** The longest tail of `text` that fits `limit` UTF-8 bytes (what pax-unaware readers will show). */
function tailWithinBytes(text: string, limit: number): string {
  const chars = Array.from(text);
  let bytes = 0;
  let start = chars.length;
  while (start > 0 && bytes + Buffer.byteLength(chars[start - 1] as string) <= limit) {
    start--;
    bytes += Buffer.byteLength(chars[start] as string);
  }
  return chars.slice(start).join('');
}

export function tarToBuffer(members: TarMemberInput[]): Buffer {
  return Buffer.concat([...members.flatMap(encodeMember), END_OF_ARCHIVE]);
}

/** Writes a tar file member by member, buffering writes into ~1 MiB slabs. */
export class TarFileWriter {
  private readonly fd: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private closed = false;
  bytesWritten = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  add(member: TarMemberInput): void {
    if (this.closed) throw new Error(`TarFileWriter(${this.path}): add after close`);
    for (const part of encodeMember(member)) {
      if (part.length === 0) continue;
      this.pending.push(part);
      this.pendingBytes += part.length;
    }
    if (this.pendingBytes >= 1 << 20) this.flush();
  }

  private flush(): void {
    if (this.pendingBytes === 0) return;
    const slab = Buffer.concat(this.pending, this.pendingBytes);
    let written = 0;
    while (written < slab.length) written += writeSync(this.fd, slab, written, slab.length - written);
    this.bytesWritten += slab.length;
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Writes the end-of-archive marker and closes the file. */
  close(): void {
    if (this.closed) return;
    this.pending.push(END_OF_ARCHIVE);
    this.pendingBytes += END_OF_ARCHIVE.length;
    try {
      this.flush();
    } finally {
      this.closed = true;
      closeSync(this.fd);
    }
  }

  /** Closes without the end marker (for callers abandoning a partial file they will delete). */
  abort(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}
