import { access, constants } from 'node:fs/promises';
import path from 'node:path';

/**
 * Looks a program up on PATH without spawning anything, so "nvidia-smi is not installed" is a state we
 * can report at once instead of an ENOENT from a child process.
 */
export async function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  if (name.includes('/')) return (await isExecutable(name)) ? path.resolve(name) : null;
  const dirs = (env.PATH ?? '').split(path.delimiter).filter((d) => d !== '');
  const exts = process.platform === 'win32' ? ['.exe', ''] : [''];
  for (const dir of dirs) {
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (await isExecutable(candidate)) return candidate;
    }
  }
  return null;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
