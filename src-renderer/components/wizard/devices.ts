/**
 * The resources step picks GPUs by clicking them; `--devices` and `--nproc` follow, one worker per
 * GPU, as the server requires. No GPU picked means "free GPUs, else the CPU" (the default).
 */
import type { FieldValue } from './draft';

export function selectedDevices(devices: FieldValue | undefined): string[] {
  return String(devices ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

export function toggleDevice(fields: Record<string, FieldValue>, device: string): Record<string, FieldValue> {
  const current = selectedDevices(fields.devices).filter((d) => d !== 'cpu');
  const next = current.includes(device) ? current.filter((d) => d !== device) : [...current, device];
  next.sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
  return { ...fields, devices: next.join(','), ...(next.length > 0 ? { nproc: String(next.length) } : {}) };
}

/** CPU only: the workers share the cores; nproc is left as the user set it. */
export function cpuOnly(fields: Record<string, FieldValue>): Record<string, FieldValue> {
  return { ...fields, devices: 'cpu' };
}
