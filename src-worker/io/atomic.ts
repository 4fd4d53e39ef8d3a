/**
 * Crash-safe file writes: the content goes to a temporary file in the same folder, is fsynced, then
 * renamed over the target. rename() within one file system is atomic, so a reader (or a restart after a
 * crash) sees either the old file or the complete new one, never a torn one.
 */
import fs from 'node:fs/promises';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

function tempPathFor(file: string): string {
  const dir = path.dirname(file);
  const base = path.basename(file);
  return path.join(dir, `.${base}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** `.<target name>.<writer pid>.<8 hex>.tmp`, as tempPathFor names them. */
const TEMP_NAME = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporary files in `dir` whose writer died mid-write (killed during a checkpoint, for
 * example: up to 1.8 GB each for ViT-B/16). A file whose writer PID is still alive is left alone, so this
 * is safe to call while another process writes. Returns the paths removed.
 */
export function removeAbandonedTempFiles(dir: string, isAlive: (pid: number) => boolean = pidExists): string[] {
  let names: string[];
  try { names = readdirSync(dir); } catch { return []; }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (!m || isAlive(Number(m[1]))) continue;
    const file = path.join(dir, name);
    try {
      rmSync(file, { force: true });
      removed.push(file);
    } catch {
      // not ours to remove (permissions): leave it
    }
  }
  return removed;
}

/** Makes the rename itself durable; some platforms (Windows) cannot open folders, which is harmless. */
async function fsyncFolder(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // best effort: the data itself was already synced
  } finally {
    await handle?.close();
  }
}

/**
 * Calls `write` with a handle on a temporary file, then syncs and renames it to `file`. If `write` throws,
 * the temporary file is removed and `file` is left as it was.
 */
export async function withAtomicFile<T>(file: string, write: (handle: fs.FileHandle) => Promise<T>): Promise<T> {
  const temp = tempPathFor(file);
  const handle = await fs.open(temp, 'wx');
  let result: T;
  try {
    result = await write(handle);
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await fs.rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await fs.rename(temp, file);
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw err;
  }
  await fsyncFolder(path.dirname(file));
  return result;
}

export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await withAtomicFile(file, async (handle) => {
    await handle.writeFile(data);
  });
}
