/**
 * The machine: GPU snapshot (kept live by `gpu` events), CPU/memory inventory, live system figures
 * (CPU per core, memory, disk free: `system` events every 2 s, with a short history for sparklines),
 * and the run queue (refreshed when runs change, at most once a second, never per step).
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { QueueStatus } from '../../src-shared/api/contract';
import type { GpuSample, SystemInfo, SystemStats } from '../../src-shared/api/types';
import { client } from './client';
import { useEvents } from './events';

export interface GpuSnapshot { state: string; reason: string | null; gpus: GpuSample[] }

/** Samples kept for the CPU and memory sparklines: 2 s apart, so five minutes. */
export const STATS_HISTORY = 150;

/** Appends a sample, dropping the oldest past `max`, and ignoring one older than the last (out of order). */
export function appendStats(history: readonly SystemStats[], s: SystemStats, max = STATS_HISTORY): SystemStats[] {
  const last = history[history.length - 1];
  if (last && s.t <= last.t) return [...history];
  const next = [...history, s];
  return next.length > max ? next.slice(next.length - max) : next;
}

export const useSystem = defineStore('system', () => {
  const info = shallowRef<SystemInfo | null>(null);
  const gpu = shallowRef<GpuSnapshot | null>(null);
  const queue = shallowRef<QueueStatus | null>(null);
  const error = ref<string | null>(null);
  const stats = shallowRef<SystemStats | null>(null);
  const statsHistory = shallowRef<SystemStats[]>([]);

  function takeStats(s: SystemStats): void {
    stats.value = s;
    statsHistory.value = appendStats(statsHistory.value, s);
  }

  async function loadStats(): Promise<void> {
    try {
      takeStats(await client().call('system.stats', {}));
    } catch (err) {
      error.value = err instanceof Error ? err.message : String(err);
    }
  }

  async function loadInfo(): Promise<void> {
    try {
      info.value = await client().call('system.info', {});
    } catch (err) {
      error.value = err instanceof Error ? err.message : String(err);
    }
  }

  async function loadGpu(): Promise<void> {
    try {
      gpu.value = await client().call('gpu.snapshot', {});
    } catch (err) {
      error.value = err instanceof Error ? err.message : String(err);
    }
  }

  async function loadQueue(): Promise<void> {
    try {
      queue.value = await client().call('queue.status', {});
    } catch (err) {
      error.value = err instanceof Error ? err.message : String(err);
    }
  }

  async function resumeQueue(): Promise<void> {
    queue.value = await client().call('queue.resume', {});
  }

  let queueTimer: ReturnType<typeof setTimeout> | null = null;
  function refreshQueueSoon(): void {
    if (queueTimer !== null) return;
    queueTimer = setTimeout(() => {
      queueTimer = null;
      void loadQueue();
    }, 1000);
  }

  const events = useEvents();
  events.on('gpu', (e) => {
    const prev = gpu.value;
    // Samples flowing means the monitor runs, whatever the snapshot said when the page loaded.
    gpu.value = e.gpus.length > 0 ? { state: 'running', reason: null, gpus: e.gpus } : { state: prev?.state ?? 'starting', reason: prev?.reason ?? null, gpus: e.gpus };
  });
  events.on('system', (e) => takeStats(e.stats));
  events.on('run', refreshQueueSoon);
  events.on('notification', refreshQueueSoon);

  return { info, gpu, queue, error, stats, statsHistory, loadInfo, loadGpu, loadQueue, loadStats, resumeQueue };
});
