/**
 * Converts an image-text retrieval dataset stored as Parquet (the Hugging Face `datasets` layout of
 * nlphuji/mscoco_2014_5k_test_image_text_retrieval and nlphuji/flickr_1k_test_image_text_retrieval:
 * an `image` struct {bytes, path} and a `caption` list of strings per row) into the retrieval layout the
 * evaluator reads (src-worker/data/EVAL-LAYOUT.md): `dataset_type.txt`, `test/nshards.txt`,
 * `test/<i>.tar` with `<key>.<jpg|png|webp>` and `<key>.captions.json` (every caption of the image).
 *
 * Parquet is read with hyparquet (pure JavaScript, maintained, reads Snappy-compressed files as the
 * `datasets` library writes them), one row group at a time, so a set of several hundred MB is never
 * held whole. The conversion writes into a temporary folder and renames it into place, then records
 * what it was made from in `conversion.json`; running it again with the same Parquet files is a no-op.
 */
import fs from 'node:fs';
import path from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import { TarFileWriter } from '../../src-worker/data/tar/writer';
import { WorkbenchError, type WorkbenchErrorOptions } from '../../src-shared/errors';

export class ParquetConversionError extends WorkbenchError {
  override name = 'ParquetConversionError';
  constructor(message: string, options: WorkbenchErrorOptions = {}) {
    super(message, { kind: 'invalid', ...options });
  }
}

export interface ConversionResult {
  dir: string;
  images: number;
  captions: number;
  shards: number;
  /** True when an earlier conversion of the same files was kept. */
  reused: boolean;
}

export interface ConvertOptions {
  /** Images per tar shard (default 1000). */
  shardSize?: number;
  onProgress?: (images: number, total: number) => void;
}

const IMAGE_COLUMNS = ['image', 'img', 'jpg'];
const CAPTION_COLUMNS = ['caption', 'captions', 'sentences', 'raw', 'text'];
export const CONVERSION_RECORD = 'conversion.json';

function imageExtension(bytes: Uint8Array): string | null {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'jpg';
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  if (Buffer.from(bytes.subarray(0, 4)).toString('latin1') === 'RIFF' && Buffer.from(bytes.subarray(8, 12)).toString('latin1') === 'WEBP') return 'webp';
  return null;
}

function imageBytes(v: unknown): Uint8Array | null {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'object' && v !== null && (v as { bytes?: unknown }).bytes instanceof Uint8Array) return (v as { bytes: Uint8Array }).bytes;
  return null;
}

/** A row's captions: a list of strings, or a JSON string holding one (the CSV's `raw` column). */
function captionsOf(v: unknown): string[] | null {
  let list: unknown = v;
  if (typeof v === 'string') {
    const t = v.trim();
    if (t.startsWith('[')) {
      try {
        list = JSON.parse(t);
      } catch {
        return null;
      }
    } else list = [t];
  }
  if (!Array.isArray(list)) return null;
  const out = list.filter((c): c is string => typeof c === 'string').map((c) => c.trim()).filter((c) => c.length > 0);
  return out.length > 0 ? out : null;
}

interface SourceRecord {
  files: { name: string; size: number }[];
  images: number;
  captions: number;
  shards: number;
}

function sourcesOf(files: readonly string[]): SourceRecord['files'] {
  return files.map((f) => ({ name: path.basename(f), size: fs.statSync(f).size }));
}

function previous(outDir: string, files: SourceRecord['files']): SourceRecord | null {
  try {
    const rec = JSON.parse(fs.readFileSync(path.join(outDir, CONVERSION_RECORD), 'utf8')) as SourceRecord;
    const same = JSON.stringify(rec.files) === JSON.stringify(files);
    return same && fs.existsSync(path.join(outDir, 'test', 'nshards.txt')) ? rec : null;
  } catch {
    return null;
  }
}

/** Converts `files` (in order) into `outDir`. */
export async function convertRetrievalParquet(files: readonly string[], outDir: string, options: ConvertOptions = {}): Promise<ConversionResult> {
  if (files.length === 0) throw new ParquetConversionError('no Parquet files to convert');
  const shardSize = options.shardSize ?? 1000;
  if (!Number.isInteger(shardSize) || shardSize < 1) throw new ParquetConversionError(`shardSize must be a positive integer, got ${shardSize}`);
  const sources = sourcesOf(files);
  const done = previous(outDir, sources);
  if (done) return { dir: outDir, images: done.images, captions: done.captions, shards: done.shards, reused: true };

  fs.mkdirSync(outDir, { recursive: true });
  const tmp = path.join(outDir, `.test.partial-${process.pid}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp);
  let images = 0;
  let captions = 0;
  let shard = 0;
  let writer: TarFileWriter | null = null;
  try {
    const metas: { file: string; buffer: Awaited<ReturnType<typeof asyncBufferFromFile>>; metadata: Awaited<ReturnType<typeof parquetMetadataAsync>> }[] = [];
    for (const file of files) {
      try {
        const buffer = await asyncBufferFromFile(file);
        metas.push({ file, buffer, metadata: await parquetMetadataAsync(buffer) });
      } catch (err) {
        throw new ParquetConversionError(`${file} is not a readable Parquet file (${(err as Error).message}); delete it and download again`);
      }
    }
    const total = metas.reduce((s, m) => s + Number(m.metadata.num_rows), 0);
    for (const { file, buffer, metadata } of metas) {
      const names = parquetSchema(metadata).children.map((c) => c.element.name);
      const imageCol = IMAGE_COLUMNS.find((c) => names.includes(c));
      const captionCol = CAPTION_COLUMNS.find((c) => names.includes(c));
      if (!imageCol || !captionCol) {
        throw new ParquetConversionError(`${file} has columns ${names.join(', ')}; a retrieval set needs an image column (${IMAGE_COLUMNS.join(' or ')}) and a caption column (${CAPTION_COLUMNS.join(' or ')})`);
      }
      let rowStart = 0;
      for (const group of metadata.row_groups) {
        const rowEnd = rowStart + Number(group.num_rows);
        const rows = await parquetReadObjects({ file: buffer, metadata, columns: [imageCol, captionCol], rowStart, rowEnd, utf8: false });
        for (const [i, row] of rows.entries()) {
          const where = `${file} row ${rowStart + i}`;
          const bytes = imageBytes(row[imageCol]);
          if (!bytes || bytes.length === 0) throw new ParquetConversionError(`${where}: column ${imageCol} holds no image bytes`);
          const ext = imageExtension(bytes);
          if (!ext) throw new ParquetConversionError(`${where}: the image is neither JPEG, PNG nor WebP`);
          const caps = captionsOf(row[captionCol]);
          if (!caps) throw new ParquetConversionError(`${where}: column ${captionCol} holds no captions`);
          if (writer === null || images % shardSize === 0) {
            writer?.close();
            writer = new TarFileWriter(path.join(tmp, `${shard}.tar`));
            shard++;
          }
          const key = `s${String(images).padStart(7, '0')}`;
          writer.add({ name: `${key}.${ext}`, data: bytes });
          writer.add({ name: `${key}.captions.json`, data: JSON.stringify(caps) });
          images++;
          captions += caps.length;
        }
        rowStart = rowEnd;
        options.onProgress?.(images, total);
      }
    }
    (writer as TarFileWriter | null)?.close();
    writer = null;
    if (images === 0) throw new ParquetConversionError(`${files.join(', ')} hold no rows`);
    fs.writeFileSync(path.join(tmp, 'nshards.txt'), `${shard}\n`);
    const testDir = path.join(outDir, 'test');
    fs.rmSync(testDir, { recursive: true, force: true });
    fs.renameSync(tmp, testDir);
    fs.writeFileSync(path.join(outDir, 'dataset_type.txt'), 'retrieval\n');
    const record: SourceRecord = { files: sources, images, captions, shards: shard };
    fs.writeFileSync(path.join(outDir, CONVERSION_RECORD), `${JSON.stringify(record, null, 2)}\n`);
    return { dir: outDir, images, captions, shards: shard, reused: false };
  } catch (err) {
    (writer as TarFileWriter | null)?.abort();
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}
