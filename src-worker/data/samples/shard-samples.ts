/**
 * Reads one shard and groups its members into samples the webdataset way: consecutive members that
 * share a key (the path up to the first dot of the basename, directory included) form one sample;
 * the rest of the name, lower-cased, is the member's extension ("jpg", "txt", "captions.json").
 * Members whose basename has no dot or starts with one (e.g. macOS "._x" files) belong to no sample.
 */
import { FileByteSource } from '../tar/byte-source';
import { readTar, type TarDefect } from '../tar/reader';
import type { DefectKind } from '../stats';

export interface RawSample {
  key: string;
  shard: string;
  /** Extension → bytes. */
  members: Map<string, Buffer>;
  /** Extensions present in the tar whose bytes were not read (declined by `wantExtension`). */
  unread: Set<string>;
}

export interface ReadShardOptions {
  onDefect: (kind: DefectKind, detail: string) => void;
  /** Skip the bytes of members whose extension fails this test (they are absent from the sample). */
  wantExtension?: (ext: string) => boolean;
}

const TAR_DEFECT: Record<TarDefect, DefectKind> = { corrupt_header: 'corrupt_header', truncated: 'truncated_shard' };

export function splitMemberName(name: string): { key: string; ext: string } | undefined {
  const baseStart = name.lastIndexOf('/') + 1;
  const dot = name.indexOf('.', baseStart);
  if (dot <= baseStart || dot === name.length - 1) return undefined;
  return { key: name.slice(0, dot), ext: name.slice(dot + 1).toLowerCase() };
}

export async function* readShardSamples(shard: string, options: ReadShardOptions): AsyncGenerator<RawSample> {
  let source: FileByteSource;
  try {
    source = await FileByteSource.open(shard);
  } catch (err) {
    options.onDefect('unreadable_shard', `${shard}: ${(err as Error).message}`);
    return;
  }
  const want = options.wantExtension;
  let current: RawSample | undefined;
  try {
    const entries = readTar(source, {
      onDefect: (kind, detail) => options.onDefect(TAR_DEFECT[kind], `${shard}: ${detail}`),
      wantData: want
        ? (name) => {
            const parts = splitMemberName(name);
            return parts !== undefined && want(parts.ext);
          }
        : undefined,
    });
    for await (const entry of entries) {
      const parts = splitMemberName(entry.name);
      if (!parts) continue;
      if (current && current.key !== parts.key) {
        yield current;
        current = undefined;
      }
      current ??= { key: parts.key, shard, members: new Map(), unread: new Set() };
      if (entry.data === null) {
        current.unread.add(parts.ext);
        continue;
      }
      if (current.members.has(parts.ext)) {
        options.onDefect('duplicate_member', `${shard}: ${entry.name} appears twice in sample ${parts.key}; keeping the first`);
        continue;
      }
      current.members.set(parts.ext, entry.data);
    }
    if (current) yield current;
  } catch (err) {
    options.onDefect('unreadable_shard', `${shard}: ${(err as Error).message}`);
  } finally {
    await source.close().catch(() => undefined);
  }
}
