/**
 * Whether a PID recorded for a run still belongs to one of our worker processes. After a reboot or a
 * long time, the PID of a dead worker may have been given to another program; on Linux /proc tells the
 * two apart, elsewhere a live PID is trusted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { resolveWorkerEntry } from './worker-entry';

const MARKERS = [path.join('src-worker', 'main.ts'), `${path.sep}worker.js`];

export function isWorkerAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  let cmdline: string;
  try {
    cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return process.platform !== 'linux';
  }
  // A zombie has an empty command line: it is dead, only not yet reaped.
  return [resolveWorkerEntry().file, ...MARKERS].some((m) => cmdline.includes(m));
}
