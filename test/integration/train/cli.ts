/** Runs the real `clipwb` command line as a child process. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `cwd` and `script` (e.g. a symlink to bin/clipwb.mjs, as npm link makes) default to the project's. */
export function runCli(args: string[], timeoutMs = 90_000, o: { cwd?: string; script?: string } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [o.script ?? path.join(REPO, 'bin/clipwb.mjs'), ...args], { cwd: o.cwd ?? REPO, timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The run folder the CLI prints at the end (`files: <dir>`). */
export function runDirOf(r: CliResult): string {
  const m = /^files: (.+)$/m.exec(r.stdout);
  if (!m) throw new Error(`no "files:" line in the output:\n${r.stdout}\n${r.stderr}`);
  return m[1]!.trim();
}
