/** Writes CSV text (src-shared/csv.ts makes it) to a file, streamed and renamed into place. */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { WorkbenchError } from '../../src-shared/errors';

export { csvChunks, csvField, csvRow, csvToString, formatCsvValue, type CsvOptions, type CsvValue } from '../../src-shared/csv';

/**
 * Streams the chunks to `file` through a temporary sibling that is renamed into place at the end, so
 * a crash or a failed query never leaves a truncated CSV under the final name.
 */
export async function writeCsvFile(file: string, chunks: Iterable<string>): Promise<{ file: string; bytes: number }> {
  const target = path.resolve(file);
  const temp = `${target}.${process.pid}.partial`;
  let bytes = 0;
  const counted = Readable.from(
    (function* count(): Generator<string> {
      for (const c of chunks) {
        bytes += Buffer.byteLength(c, 'utf8');
        yield c;
      }
    })(),
    { objectMode: false },
  );
  try {
    await pipeline(counted, fs.createWriteStream(temp, { encoding: 'utf8' }));
    await fs.promises.rename(temp, target);
  } catch (err) {
    await fs.promises.rm(temp, { force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EPERM' || code === 'EISDIR') {
      throw new WorkbenchError(`cannot write ${target} (${code}): choose a folder that exists and is writable`, { kind: 'invalid', field: 'out', cause: err });
    }
    throw err;
  }
  return { file: target, bytes };
}
