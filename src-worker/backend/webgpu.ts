/**
 * The `webgpu` backend: @tensorflow/tfjs-backend-webgpu on Dawn for Node (the `webgpu` npm package, whose
 * dawn.node ships inside the package). On Linux Dawn reaches NVIDIA GPUs through Vulkan, so it needs the
 * Vulkan loader and the NVIDIA driver's Vulkan manifest; when Dawn finds no adapter the reason names
 * what is missing (see vulkan.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { checkVulkan, explainVulkan, type VulkanReport } from './vulkan';

interface AdapterInfoLike { vendor?: string; architecture?: string; device?: string; description?: string }
interface AdapterLike { info?: AdapterInfoLike }
export interface GpuLike { requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<AdapterLike | null> }
export interface DawnModule { create(flags: string[]): GpuLike; globals: object }

export type WebgpuProbe = { ok: true; gpu: GpuLike; globals: object; adapter: string } | { ok: false; reason: string };

export function describeAdapter(info: AdapterInfoLike | undefined): string {
  const parts = [info?.vendor, info?.architecture, info?.device, info?.description].filter((p): p is string => typeof p === 'string' && p !== '');
  return parts.length > 0 ? [...new Set(parts)].join(' / ') : 'adapter without a description';
}

/** Dawn flags from CLIPWB_DAWN_FLAGS (comma-separated, e.g. `backend=vulkan,adapter=NVIDIA`). */
export function dawnFlags(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.CLIPWB_DAWN_FLAGS ?? '').split(',').map((f) => f.trim()).filter(Boolean);
}

export async function probeWebgpu(
  load: () => Promise<DawnModule> = async () => (await import('webgpu')) as unknown as DawnModule,
  vulkanWhy: () => string = () => explainVulkan(checkVulkan()).text,
  /** On Linux: the Vulkan check made before loading Dawn (null elsewhere: Dawn uses Metal / D3D12 there). */
  vulkanFirst: () => VulkanReport | null = () => (process.platform === 'linux' ? checkVulkan() : null),
): Promise<WebgpuProbe> {
  // Without the Vulkan loader Dawn can find no adapter on Linux; saying so without loading dawn.node is
  // faster and keeps Dawn's own warning off every worker's stderr.
  const vulkan = vulkanFirst();
  if (vulkan && !vulkan.loader) return { ok: false, reason: `Dawn found no GPU adapter: ${explainVulkan(vulkan).text}` };
  let dawn: DawnModule;
  try {
    dawn = await load();
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') {
      return { ok: false, reason: 'the webgpu package (Dawn) is not installed; it is an optional dependency: npm install webgpu' };
    }
    return { ok: false, reason: `Dawn (webgpu package) did not load: ${String(e?.message ?? err).split('\n')[0]}` };
  }
  let adapter: AdapterLike | null;
  const gpu = dawn.create(dawnFlags());
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (err) {
    return { ok: false, reason: `Dawn could not enumerate adapters: ${String((err as Error).message ?? err).split('\n')[0]}` };
  }
  if (!adapter) {
    return { ok: false, reason: `Dawn found no GPU adapter: ${vulkanWhy()}` };
  }
  return { ok: true, gpu, globals: dawn.globals, adapter: describeAdapter(adapter.info) };
}

/** Makes the Dawn GPU the process's navigator.gpu and starts tfjs's webgpu backend on it. */
export async function startWebgpu(probe: Extract<WebgpuProbe, { ok: true }>): Promise<void> {
  const g = globalThis as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(probe.globals as Record<string, unknown>)) if (!(k in g)) g[k] = v;
  const nav = (g.navigator ?? {}) as Record<string, unknown>;
  if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: nav, configurable: true, writable: true });
  Object.defineProperty(nav, 'gpu', { value: probe.gpu, configurable: true, writable: true });
  // The backend registers itself only where navigator.gpu exists when it is imported.
  await import('@tensorflow/tfjs-backend-webgpu');
  const ok = await tf.setBackend('webgpu');
  if (!ok) throw new Error('tf.setBackend("webgpu") returned false (the adapter did not give a device)');
  await tf.ready();
}
