/**
 * The dynamic loader's cache, from `ldconfig -p`. Lines look like
 * `\tlibcudart.so.11.0 (libc6,x86-64) => /usr/local/cuda/lib64/libcudart.so.11.0`.
 */
import { findExecutable } from './find-executable';
import { runCommand } from './run-command';

export interface LdconfigEntry {
  soname: string;
  arch: string;
  path: string;
}

// 32-bit entries ("(libc6)") cannot be loaded by a 64-bit Node.
const SIXTY_FOUR_BIT = /x86-64|AArch64|64bit/i;

export function parseLdconfig(text: string): LdconfigEntry[] {
  const out: LdconfigEntry[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(\S+)\s+\(([^)]*)\)\s+=>\s+(\S.*?)\s*$/.exec(line);
    if (!m || m[1] === undefined || m[2] === undefined || m[3] === undefined) continue;
    if (!SIXTY_FOUR_BIT.test(m[2])) continue;
    out.push({ soname: m[1], arch: m[2], path: m[3] });
  }
  return out;
}

/** `ldconfig -p` output, or null where ldconfig cannot be run (it lives in /sbin, often off a user's PATH). */
export async function readLdconfigCache(env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  const candidates = [await findExecutable('ldconfig', env), '/sbin/ldconfig', '/usr/sbin/ldconfig'];
  for (const candidate of candidates) {
    if (!candidate || !(await findExecutable(candidate, env))) continue;
    const result = await runCommand(candidate, ['-p'], { env, timeoutMs: 10_000 });
    if (result.code === 0) return result.stdout;
  }
  return null;
}
