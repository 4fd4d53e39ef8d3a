import type { GpuSample, SmiParseProblem } from './types';

/**
 * - `starting`: looking for nvidia-smi / waiting for its first sample.
 * - `running`: samples arrive.
 * - `no-gpu`: nvidia-smi is absent, or says there is no GPU or no driver. A state, not an error.
 * - `restarting`: the nvidia-smi child died or stalled; a new one starts after a back-off.
 * - `stopped`: stop() was called.
 */
export type GpuMonitorState = 'starting' | 'running' | 'no-gpu' | 'restarting' | 'stopped';

export interface GpuProcessInfo {
  pid: number;
  usedMemoryMiB: number | null;
  /** The run that owns this worker PID, from the caller's lookup; null for a process not ours. */
  runId: string | null;
}

export interface GpuHistoryPoint {
  /** Wall-clock milliseconds (Date.now()) when the sample arrived. */
  t: number;
  utilizationPct: number | null;
  memoryUsedMiB: number | null;
  temperatureC: number | null;
  powerDrawW: number | null;
}

export interface GpuLiveStatus {
  index: number;
  uuid: string;
  name: string;
  /** False once the GPU stopped appearing in nvidia-smi's output while other lines kept coming. */
  present: boolean;
  lastSeenAt: number;
  sample: GpuSample;
  processes: GpuProcessInfo[];
}

export interface GpuMonitorSnapshot {
  state: GpuMonitorState;
  /** Why the monitor is in `no-gpu` or `restarting`, in words a user can act on. */
  reason: string | null;
  /** How many times the nvidia-smi child was restarted. */
  restarts: number;
  gpus: GpuLiveStatus[];
}

export interface GpuMonitorEvents {
  state: [state: GpuMonitorState, reason: string | null];
  sample: [sample: GpuSample];
  gone: [gpu: GpuLiveStatus];
  /** A GPU that was gone appears again. */
  back: [gpu: GpuLiveStatus];
  processes: [gpus: GpuLiveStatus[]];
  problem: [problem: SmiParseProblem];
}

export interface GpuMonitorOptions {
  /** Environment for nvidia-smi and for finding it on PATH. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Program name or path. Default: `nvidia-smi` looked up on PATH. */
  smiPath?: string;
  /** Sampling period passed to `-lms`. Default 1000. */
  intervalMs?: number;
  /** How often `--query-compute-apps` runs. Default 5000. */
  appsIntervalMs?: number;
  /** History kept per GPU, in seconds of samples at `intervalMs`. Default 600 (10 minutes). */
  historySeconds?: number;
  /** A GPU with no line for this long, while others still report, is marked gone. Default max(3 x interval, 3000). */
  goneAfterMs?: number;
  /** No output at all for this long means nvidia-smi hangs: it is killed and restarted. Default max(10 x interval, 15000). */
  stallAfterMs?: number;
  /** Restart delays: initial, doubled per failure without a sample in between, capped. Default 1000 / 30000. */
  restartBackoff?: { initialMs: number; maxMs: number };
  /** Maps a worker PID to its run id; PIDs it does not know are other users' processes. */
  runForPid?: (pid: number) => string | undefined;
}
