import { execFile } from 'node:child_process';

export interface CommandResult {
  /** null when the program could not be started (e.g. ENOENT). */
  code: number | null;
  stdout: string;
  stderr: string;
  error: NodeJS.ErrnoException | null;
  timedOut: boolean;
}

/** Runs a short command without blocking the event loop; never rejects. */
export function runCommand(
  file: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { env: options.env ?? process.env, timeout: options.timeoutMs ?? 10_000, maxBuffer: 16 * 1024 * 1024, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
        const started = !e || typeof e.code === 'number' || e.killed === true;
        resolve({
          code: !e ? 0 : typeof e.code === 'number' ? e.code : null,
          stdout: String(stdout),
          stderr: String(stderr),
          error: e && !started ? e : null,
          timedOut: e?.killed === true,
        });
      },
    );
  });
}
