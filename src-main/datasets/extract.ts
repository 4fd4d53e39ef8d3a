/**
 * Unpacks archive parts (the reference paper's DFN subset comes as part00.tar ... part06.tar holding the shards)
 * into a folder, streaming, each file written to a temporary name and renamed so an interrupted
 * extraction never leaves a torn shard; files already there with the right size are skipped.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FileByteSource, readTar } from '../../src-worker/data';

export async function extractTarParts(parts: readonly string[], destDir: string, onFile?: (file: string) => void): Promise<number> {
  fs.mkdirSync(destDir, { recursive: true });
  let n = 0;
  for (const part of parts) {
    const source = await FileByteSource.open(part);
    try {
      for await (const e of readTar(source, {
        wantData: (name, size) => {
          const target = safeTarget(destDir, name);
          return target !== null && !(fs.existsSync(target) && fs.statSync(target).size === size);
        },
      })) {
        const target = safeTarget(destDir, e.name);
        if (!target || !e.data) continue;
        fs.mkdirSync(path.dirname(target), { recursive: true });
        const tmp = `${target}.partial`;
        fs.writeFileSync(tmp, e.data);
        fs.renameSync(tmp, target);
        n++;
        onFile?.(target);
      }
    } finally {
      await source.close();
    }
  }
  return n;
}

/** Refuses names that would escape the destination (absolute paths, `..`). */
function safeTarget(destDir: string, name: string): string | null {
  const clean = path.normalize(name).replace(/^(\.\/)+/, '');
  if (clean.startsWith('..') || path.isAbsolute(clean) || clean.endsWith('/')) return null;
  return path.join(destDir, path.basename(path.dirname(clean)) === '.' ? '' : path.dirname(clean), path.basename(clean));
}
