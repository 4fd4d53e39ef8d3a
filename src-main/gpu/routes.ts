/**
 * Which compute route each NVIDIA GPU would take, and why: `tensorflow` (@tensorflow/tfjs-node-gpu =
 * TensorFlow 2.9 on CUDA 11 / cuDNN 8), else `webgpu` (Dawn through the NVIDIA Vulkan driver), else none
 * (training runs on the CPU). Pure: the doctor gathers the inputs.
 */
import type { CudaLibsReport } from './cuda-libs';
import type { StaticGpu } from './static-query';
import { tooOldForTf29 } from './compute-capability';
import { explainVulkan, type VulkanReport } from '../../src-worker/backend/vulkan';

export type RouteName = 'tensorflow' | 'webgpu';

export interface RouteCheck { route: RouteName; usable: boolean; why: string }

export interface GpuRoute {
  index: number;
  name: string;
  /** The route the auto backend would take on this GPU, or null (CPU). */
  route: RouteName | null;
  checks: RouteCheck[];
}

export interface RouteInputs {
  packages: { tfjsNodeGpu: boolean; webgpu: boolean };
  libs: CudaLibsReport | null;
  vulkan: VulkanReport | null;
  /** The driver runs CUDA 11 (null: unknown). */
  driverOk: boolean | null;
}

export function gpuRoutes(gpus: readonly StaticGpu[], input: RouteInputs): GpuRoute[] {
  return gpus.map((g) => {
    const tfWhy: string[] = [];
    if (!input.packages.tfjsNodeGpu) tfWhy.push('@tensorflow/tfjs-node-gpu is not installed (its install downloads libtensorflow: npm install with internet access)');
    if (g.computeCapability !== null && tooOldForTf29(g.computeCapability)) tfWhy.push(`compute capability ${g.computeCapability} is below TensorFlow 2.9's 3.5`);
    if (input.driverOk === false) tfWhy.push('the driver is too old for CUDA 11');
    const missing = input.libs ? input.libs.libs.filter((l) => l.status !== 'found').map((l) => l.soname) : [];
    if (missing.length > 0) tfWhy.push(`CUDA 11 / cuDNN 8 libraries missing or off the loader path: ${missing.join(', ')}`);
    const tf: RouteCheck = tfWhy.length === 0
      ? { route: 'tensorflow', usable: true, why: 'tfjs-node-gpu installed, driver and CUDA 11 / cuDNN 8 libraries found' }
      : { route: 'tensorflow', usable: false, why: tfWhy.join('; ') };

    let webgpu: RouteCheck;
    if (!input.packages.webgpu) webgpu = { route: 'webgpu', usable: false, why: 'the webgpu package (Dawn) is not installed: npm install webgpu' };
    else if (!input.vulkan) webgpu = { route: 'webgpu', usable: false, why: 'Vulkan was not checked' };
    else {
      const v = explainVulkan(input.vulkan);
      webgpu = { route: 'webgpu', usable: v.usable, why: v.usable ? `${v.text} (Dawn decides at start; unverified on this GPU until a run does)` : v.text };
    }
    const route = tf.usable ? 'tensorflow' : webgpu.usable ? 'webgpu' : null;
    return { index: g.index, name: g.name, route, checks: [tf, webgpu] };
  });
}

export function renderRoutes(routes: readonly GpuRoute[]): string[] {
  if (routes.length === 0) return [];
  const lines = ['Routes (which backend each GPU would use, in the order auto tries them):'];
  for (const r of routes) {
    const chosen = r.route === 'tensorflow' ? 'tensorflow (tfjs-node-gpu, CUDA 11)' : r.route === 'webgpu' ? 'webgpu (Dawn, Vulkan)' : 'none: training runs on the CPU';
    lines.push(`  GPU ${r.index} (${r.name}): ${chosen}`);
    for (const c of r.checks) lines.push(`    ${c.usable ? 'yes' : 'no '} ${c.route}: ${c.why}`);
  }
  return lines;
}
