/**
 * The manifest of a built dataset: every file with its size and SHA-256, so that a later build can
 * tell what is intact (reuse), missing or corrupt (rebuild) without rebuilding everything.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';

export interface ManifestFile {
  bytes: number;
  sha256: string;
}

export interface DatasetManifest {
  format: string;
  /** Bumped whenever the builder would write different bytes; a mismatch rebuilds everything. */
  builderVersion: number;
  source: string;
  split: string;
  counts: { train: number; test: number };
  dataSize: number;
  classnames: string[];
  /** Paths relative to the dataset folder, with '/' separators. */
  files: Record<string, ManifestFile>;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function describeFile(file: string): Promise<ManifestFile> {
  return { bytes: statSync(file).size, sha256: await sha256File(file) };
}

/** True when the file exists with the recorded size and hash. */
export async function fileMatches(file: string, expected: ManifestFile | undefined): Promise<boolean> {
  if (!expected || !existsSync(file)) return false;
  if (statSync(file).size !== expected.bytes) return false;
  return (await sha256File(file)) === expected.sha256;
}

/** The manifest if it exists, parses and has the expected format and builder version. */
export function readManifest(file: string, format: string, builderVersion: number): DatasetManifest | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<DatasetManifest>;
    if (parsed.format !== format || parsed.builderVersion !== builderVersion) return undefined;
    if (typeof parsed.files !== 'object' || parsed.files === null) return undefined;
    return parsed as DatasetManifest;
  } catch {
    return undefined;
  }
}

export function writeManifest(file: string, manifest: DatasetManifest): void {
  const tmp = `${file}.partial`;
  writeFileSync(tmp, JSON.stringify(manifest, null, 2) + '\n');
  renameSync(tmp, file);
}
