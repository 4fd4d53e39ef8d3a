/**
 * Whether a peer process still runs. `kill(pid, 0)` alone is fooled by a zombie (a child that exited but
 * that its parent has not reaped yet), so on Linux the state letter in /proc/<pid>/stat is checked too.
 * The watchdog thread carries a JavaScript copy of this logic (see watchdog.ts); keep them in step.
 */
import fs from 'node:fs';

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to someone else; only ESRCH means gone.
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.charAt(stat.lastIndexOf(')') + 2);
    if (state === 'Z' || state === 'X') return false;
  } catch {
    // No /proc (macOS) or it vanished between the two checks: trust kill().
  }
  return true;
}
