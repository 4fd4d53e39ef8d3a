/**
 * An unfinished download lives in `<dest>.part`, with `<dest>.part.json` beside it saying what it is a
 * part of (source identity, expected size and checksum, validators). After a restart the part is
 * resumed only if the sidecar still describes the same download; anything else starts over. The
 * final name appears only by rename, so a file at `dest` is always complete.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { z } from 'zod';

export const partMetaSchema = z.object({
  version: z.literal(1),
  /** The URL, or the spec's resumeKey when the URL carries one-time parts (Drive confirm tokens). */
  key: z.string(),
  expectedSize: z.number().int().nonnegative().nullable(),
  sha256: z.string().nullable(),
  etag: z.string().nullable(),
  lastModified: z.string().nullable(),
  totalSize: z.number().int().nonnegative().nullable(),
  createdAt: z.string(),
});

export type PartMeta = z.infer<typeof partMetaSchema>;

export const partPath = (dest: string): string => `${dest}.part`;
export const partMetaPath = (dest: string): string => `${dest}.part.json`;

export async function readPartMeta(dest: string): Promise<PartMeta | null> {
  try {
    const parsed = partMetaSchema.safeParse(JSON.parse(await readFile(partMetaPath(dest), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export async function writePartMeta(dest: string, meta: PartMeta): Promise<void> {
  const tmp = `${partMetaPath(dest)}.tmp`;
  await writeFile(tmp, `${JSON.stringify(meta, null, 2)}\n`);
  await rename(tmp, partMetaPath(dest));
}

export async function removePart(dest: string): Promise<void> {
  await Promise.all([rm(partPath(dest), { force: true }), rm(partMetaPath(dest), { force: true }), rm(`${partMetaPath(dest)}.tmp`, { force: true })]);
}

export async function fileSize(file: string): Promise<number | null> {
  try {
    const s = await stat(file);
    return s.isFile() ? s.size : null;
  } catch {
    return null;
  }
}

/** SHA-256 state over a whole file, ready to be continued with more bytes. */
export async function hashFile(file: string): Promise<{ hash: Hash; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { hash, size };
}
