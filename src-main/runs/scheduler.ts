/**
 * Which devices a queued run gets. A GPU is free when no run of ours holds it, no other process uses it
 * (compute apps), and its memory and utilisation are under the thresholds. Pure: the run service feeds it
 * the current GPU state and its own allocations.
 */
import type { WorkerDevice } from '../gpu/worker-env';

export interface GpuState {
  index: number;
  uuid: string | null;
  memoryUsedMiB: number | null;
  memoryTotalMiB: number | null;
  utilization: number | null;
  /** PIDs of compute processes on this GPU. */
  pids: number[];
}

export interface ScheduleRequest {
  nproc: number;
  /** --devices: GPU indices or UUIDs, or ['cpu']; empty = any free GPUs, else the CPU. */
  devices: string[];
}

export interface SchedulerState {
  gpus: GpuState[];
  /** GPU indices held by our active runs. */
  allocated: Set<number>;
  /** Our workers' PIDs (their memory does not make a GPU busy for them). */
  ourPids: Set<number>;
  /** CPU runs already running, and how many may run at once. */
  cpuRuns: number;
  cpuSlots: number;
  memoryFreeFraction?: number;
  maxUtilization?: number;
}

export type ScheduleDecision =
  | { kind: 'start'; devices: WorkerDevice[]; labels: string[] }
  | { kind: 'wait'; reason: string }
  | { kind: 'error'; reason: string };

function isFree(g: GpuState, s: SchedulerState): boolean {
  if (s.allocated.has(g.index)) return false;
  if (g.pids.some((p) => !s.ourPids.has(p))) return false;
  const memFrac = g.memoryUsedMiB !== null && g.memoryTotalMiB ? g.memoryUsedMiB / g.memoryTotalMiB : 0;
  if (memFrac > 1 - (s.memoryFreeFraction ?? 0.9)) return false;
  return (g.utilization ?? 0) <= (s.maxUtilization ?? 20);
}

export function decide(req: ScheduleRequest, s: SchedulerState): ScheduleDecision {
  const cpu = (): ScheduleDecision => {
    if (s.cpuRuns >= s.cpuSlots) return { kind: 'wait', reason: `waiting for the CPU (${s.cpuRuns} CPU run(s) already running)` };
    return { kind: 'start', devices: Array.from({ length: req.nproc }, () => ({ kind: 'cpu' as const })), labels: ['cpu'] };
  };
  if (req.devices.length === 1 && req.devices[0] === 'cpu') return cpu();
  if (req.devices.length > 0) {
    if (req.devices.includes('cpu')) return { kind: 'error', reason: `devices: "cpu" cannot be combined with GPUs (${req.devices.join(', ')}); give either cpu or GPU indices` };
    const twice = req.devices.find((d, i) => req.devices.indexOf(d) !== i);
    if (twice !== undefined) return { kind: 'error', reason: `devices: GPU "${twice}" is listed twice; each worker process needs its own GPU` };
    const chosen: GpuState[] = [];
    for (const d of req.devices) {
      const g = s.gpus.find((x) => String(x.index) === d || x.uuid === d);
      if (!g) return { kind: 'error', reason: `devices: GPU "${d}" is not on this machine (GPUs: ${s.gpus.map((x) => x.index).join(', ') || 'none'})` };
      chosen.push(g);
    }
    const busy = chosen.filter((g) => !isFree(g, s));
    if (busy.length > 0) return { kind: 'wait', reason: `waiting for GPU ${busy.map((g) => g.index).join(', ')} to be free` };
    return { kind: 'start', devices: chosen.map((g) => ({ kind: 'gpu' as const, index: g.index })), labels: chosen.map((g) => `gpu:${g.index}`) };
  }
  if (s.gpus.length === 0) return cpu();
  if (req.nproc > s.gpus.length) return { kind: 'error', reason: `nproc ${req.nproc} asks for more GPUs than this machine has (${s.gpus.length})` };
  const free = s.gpus.filter((g) => isFree(g, s));
  if (free.length < req.nproc) return { kind: 'wait', reason: `waiting for ${req.nproc} free GPU(s) (${free.length} free now)` };
  const chosen = free.slice(0, req.nproc);
  return { kind: 'start', devices: chosen.map((g) => ({ kind: 'gpu' as const, index: g.index })), labels: chosen.map((g) => `gpu:${g.index}`) };
}
