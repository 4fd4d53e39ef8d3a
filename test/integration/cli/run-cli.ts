/** Runs the real `clipwb` (bin/clipwb.mjs) in a child process, as a user would. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'clipwb.mjs');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  child: ChildProcess;
  done: Promise<CliResult>;
  /** Output so far. */
  output(): string;
}

/**
 * An environment with nvidia-smi out of reach (PATH holds only an empty folder), so every run here
 * trains on the CPU whatever the machine has.
 */
export function cliEnv(root: string, home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const emptyBin = path.join(root, 'empty-bin');
  fs.mkdirSync(emptyBin, { recursive: true });
  return { ...process.env, PATH: emptyBin, CLIPWB_HOME: home, CI: '1', ...extra };
}

/** `group`: in its own process group, like a command in a terminal (Ctrl-C signals the whole group). */
export function startCli(args: string[], env: NodeJS.ProcessEnv, o: { group?: boolean } = {}): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: o.group ?? false });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString('utf8'); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString('utf8'); });
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done, output: () => stdout + stderr };
}

export function cli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return startCli(args, env).done;
}
