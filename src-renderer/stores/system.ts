/**
 * The machine: GPU snapshot (kept live by `gpu` events), CPU/memory inventory, and the run queue
 * (refreshed when runs change, at most once a second, never per step).
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { QueueStatus } from '../../src-main/api/contract';
import type { GpuSample, SystemInfo } from '../../src-main/api/types';
import { client } from './client';
import { useEvents } from './events';

export interface GpuSnapshot { state: string; reason: string | null; gpus: GpuSample[] }

export const useSystem = defineStore('system', () => {
  const info = shallowRef<SystemInfo | null>(null);
  const gpu = shallowRef<GpuSnapshot | null>(null);
  const queue = shallowRef<QueueStatus | null>(null);
  const error = ref<string | null>(null);

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
  events.on('run', refreshQueueSoon);
  events.on('notification', refreshQueueSoon);

  return { info, gpu, queue, error, loadInfo, loadGpu, loadQueue, resumeQueue };
});
