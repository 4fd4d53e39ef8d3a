/**
 * Streaming tar reader: yields regular-file members one at a time from a ByteSource.
 *
 * Understands ustar (name prefix), GNU long names (`././@LongLink`, type 'L') and pax extended headers
 * (type 'x': `path`, `size`). Damage never throws: a header with a wrong checksum is reported once and
 * the reader scans forward block by block (members start on 512-byte boundaries) until a header
 * checks out again; an archive that ends inside a header or a member is reported and ends there.
 */
import { BLOCK, paddingFor, parseHeader, parsePaxRecords } from './header';
import type { ByteSource } from './byte-source';

export interface TarEntry {
  name: string;
  size: number;
  /** The member's bytes (a private copy), or null when `wantData` declined them. */
  data: Buffer | null;
}

export type TarDefect = 'corrupt_header' | 'truncated';

export interface ReadTarOptions {
  /** Called once per damaged region. `detail` says where, for logs. */
  onDefect?: (kind: TarDefect, detail: string) => void;
  /** Return false to skip a member's bytes (the entry is still yielded, with data null). */
  wantData?: (name: string, size: number) => boolean;
}

/** Metadata members (long names, pax records) are tiny; anything larger is a corrupt header. */
const MAX_META_BYTES = 1 << 20;

export async function* readTar(source: ByteSource, options: ReadTarOptions = {}): AsyncGenerator<TarEntry> {
  const report = options.onDefect ?? (() => undefined);
  let offset = 0;
  let resyncing = false;
  let longName: string | undefined;
  let pax: Map<string, string> | undefined;

  const truncated = (what: string): void => report('truncated', `archive ends inside ${what} at byte ${offset}`);

  for (;;) {
    const block = await source.read(BLOCK);
    if (block.length === 0) return;
    if (block.length < BLOCK) {
      truncated('a header');
      return;
    }
    const headerOffset = offset;
    offset += BLOCK;
    const parsed = parseHeader(block);
    if (parsed.kind === 'zero') {
      // End of archive, unless we are scanning past damage (zero blocks also occur inside data).
      if (resyncing) continue;
      return;
    }
    if (parsed.kind === 'bad-checksum') {
      if (!resyncing) report('corrupt_header', `bad header checksum at byte ${headerOffset}`);
      resyncing = true;
      longName = undefined;
      pax = undefined;
      continue;
    }
    resyncing = false;
    const { header } = parsed;
    const size = pax?.has('size') ? Number(pax.get('size')) : header.size;
    if (!Number.isSafeInteger(size) || size < 0) {
      report('corrupt_header', `invalid pax size at byte ${headerOffset}`);
      resyncing = true;
      pax = undefined;
      continue;
    }
    const padded = size + paddingFor(size);

    if (header.type === 'L' || header.type === 'x' || header.type === 'g') {
      if (size > MAX_META_BYTES) {
        report('corrupt_header', `implausible ${header.type} member of ${size} bytes at byte ${headerOffset}`);
        resyncing = true;
        continue;
      }
      const data = await source.read(padded);
      offset += data.length;
      if (data.length < padded) {
        truncated('a metadata member');
        return;
      }
      const body = data.subarray(0, size);
      if (header.type === 'L') longName = body.toString('utf8').replace(/\0+$/, '');
      else if (header.type === 'x') pax = parsePaxRecords(body);
      // Global pax headers ('g') carry defaults we do not need (times, owners).
      continue;
    }

    const name = pax?.get('path') ?? longName ?? header.name;
    longName = undefined;
    pax = undefined;

    const isFile = header.type === '0' || header.type === '7';
    if (isFile && (options.wantData?.(name, size) ?? true)) {
      const view = await source.read(size);
      offset += view.length;
      if (view.length < size) {
        truncated(`member ${name}`);
        return;
      }
      const data = Buffer.from(view); // a copy: a view would pin the reader's chunk in memory
      const pad = paddingFor(size);
      const skipped = await source.skip(pad);
      offset += skipped;
      if (skipped < pad) {
        truncated(`the padding of ${name}`);
        return;
      }
      yield { name, size, data };
      continue;
    }
    const skipped = await source.skip(padded);
    offset += skipped;
    if (skipped < padded) {
      truncated(`member ${name}`);
      return;
    }
    if (isFile) yield { name, size, data: null };
  }
}
