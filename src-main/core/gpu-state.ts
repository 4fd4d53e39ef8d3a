/** The GPU monitor's live view as the scheduler needs it. */
import type { GpuMonitor } from '../gpu/monitor';
import type { GpuState } from '../runs/scheduler';

export function gpuStates(monitor: GpuMonitor): GpuState[] {
  const snap = monitor.snapshot();
  if (snap.state !== 'running' && snap.state !== 'restarting') return [];
  return snap.gpus.filter((g) => g.present).map((g) => ({
    index: g.index,
    uuid: g.uuid,
    memoryUsedMiB: g.sample.memoryUsedMiB,
    memoryTotalMiB: g.sample.memoryTotalMiB,
    utilization: g.sample.utilizationPct,
    pids: g.processes.map((p) => p.pid),
  }));
}

/** Starts a monitor and waits (briefly) until it knows whether there are GPUs and has a first sample. */
export async function startMonitorAndWait(monitor: GpuMonitor, timeoutMs = 5000): Promise<void> {
  await monitor.start();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const s = monitor.snapshot();
    if (s.state === 'no-gpu' || s.state === 'stopped' || (s.state === 'running' && s.gpus.length > 0)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}
