/**
 * The exact nvidia-smi queries the workbench runs. Kept in one place so the parsers, the monitor and
 * the fake nvidia-smi used in tests agree on the column order.
 */

export const LIVE_FIELDS = [
  'index',
  'uuid',
  'name',
  'utilization.gpu',
  'memory.used',
  'memory.total',
  'temperature.gpu',
  'power.draw',
  'power.limit',
] as const;

export const APPS_FIELDS = ['pid', 'gpu_uuid', 'used_memory'] as const;

export const STATIC_FIELDS = ['index', 'name', 'memory.total', 'compute_cap', 'driver_version', 'pci.bus_id'] as const;

/** Old drivers (before about R510) reject `compute_cap` and fail the whole query. */
export const STATIC_FIELDS_LEGACY = ['index', 'name', 'memory.total', 'driver_version', 'pci.bus_id'] as const;

const CSV_FORMAT = '--format=csv,noheader,nounits';

export function liveQueryArgs(intervalMs?: number): string[] {
  const args = [`--query-gpu=${LIVE_FIELDS.join(',')}`, CSV_FORMAT];
  if (intervalMs !== undefined) args.push('-lms', String(Math.max(1, Math.round(intervalMs))));
  return args;
}

export function appsQueryArgs(): string[] {
  return [`--query-compute-apps=${APPS_FIELDS.join(',')}`, CSV_FORMAT];
}

export function staticQueryArgs(legacy = false): string[] {
  return [`--query-gpu=${(legacy ? STATIC_FIELDS_LEGACY : STATIC_FIELDS).join(',')}`, CSV_FORMAT];
}
