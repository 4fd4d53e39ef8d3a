/**
 * What Dawn (the `webgpu` package) needs to find a GPU on Linux: the Vulkan loader (libvulkan.so.1) and a
 * Vulkan driver manifest (ICD JSON) for the GPU. NVIDIA's driver installs `nvidia_icd.json`; Mesa's
 * lavapipe (`lvp_icd.*.json`) is a CPU driver that Dawn does not accept (it lacks
 * shaderUniform*ArrayDynamicIndexing). Used to explain a missing WebGPU adapter and by `clipwb doctor`.
 * File-system access is injectable for tests.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface VulkanIcd {
  file: string;
  /** The driver library the manifest names, when it could be read. */
  library: string | null;
  kind: 'nvidia' | 'cpu' | 'other';
}

export interface VulkanReport {
  /** Path of libvulkan.so.1, or null when none was found. */
  loader: string | null;
  icds: VulkanIcd[];
  /** Folders searched for manifests. */
  icdFolders: string[];
}

export interface VulkanFs {
  exists(p: string): boolean;
  readdir(p: string): string[];
  readFile(p: string): string;
}

const realFs: VulkanFs = {
  exists: (p) => fs.existsSync(p),
  readdir: (p) => { try { return fs.readdirSync(p); } catch { return []; } },
  readFile: (p) => fs.readFileSync(p, 'utf8'),
};

const LOADER_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib', '/lib/x86_64-linux-gnu'];

export function icdFolders(env: NodeJS.ProcessEnv): string[] {
  const dataHome = env.XDG_DATA_HOME ?? (env.HOME ? path.join(env.HOME, '.local/share') : null);
  const dataDirs = (env.XDG_DATA_DIRS ?? '/usr/local/share:/usr/share').split(':').filter(Boolean);
  return [...new Set([
    ...(dataHome ? [path.join(dataHome, 'vulkan/icd.d')] : []),
    '/etc/vulkan/icd.d',
    ...dataDirs.map((d) => path.join(d, 'vulkan/icd.d')),
  ])];
}

function classify(file: string, library: string | null): VulkanIcd['kind'] {
  const s = `${path.basename(file)} ${library ?? ''}`.toLowerCase();
  if (s.includes('nvidia')) return 'nvidia';
  if (s.includes('lvp') || s.includes('lavapipe') || s.includes('swiftshader')) return 'cpu';
  return 'other';
}

export function checkVulkan(env: NodeJS.ProcessEnv = process.env, vfs: VulkanFs = realFs): VulkanReport {
  const ldDirs = (env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  const loader = [...ldDirs, ...LOADER_DIRS].map((d) => path.join(d, 'libvulkan.so.1')).find((p) => vfs.exists(p)) ?? null;
  // VK_ICD_FILENAMES / VK_DRIVER_FILES replace the search, as in the loader.
  const explicit = (env.VK_DRIVER_FILES ?? env.VK_ICD_FILENAMES ?? '').split(':').filter(Boolean);
  const folders = explicit.length > 0 ? [] : icdFolders(env);
  const files = explicit.length > 0 ? explicit : folders.flatMap((d) => vfs.readdir(d).filter((f) => f.endsWith('.json')).map((f) => path.join(d, f)));
  const icds = files.map((file) => {
    let library: string | null = null;
    try {
      const parsed = JSON.parse(vfs.readFile(file)) as { ICD?: { library_path?: unknown } };
      library = typeof parsed.ICD?.library_path === 'string' ? parsed.ICD.library_path : null;
    } catch { /* unreadable manifest: listed without its library */ }
    return { file, library, kind: classify(file, library) };
  });
  return { loader, icds, icdFolders: folders };
}

/** One sentence on why Dawn would or would not see an NVIDIA GPU, with the fix. */
export function explainVulkan(r: VulkanReport): { usable: boolean; text: string } {
  if (!r.loader) {
    return { usable: false, text: 'the Vulkan loader libvulkan.so.1 is not installed (Debian/Ubuntu: apt-get install libvulkan1)' };
  }
  const nvidia = r.icds.filter((i) => i.kind === 'nvidia');
  if (nvidia.length > 0) return { usable: true, text: `Vulkan loader ${r.loader}, NVIDIA Vulkan driver ${nvidia.map((i) => i.file).join(', ')}` };
  const where = r.icdFolders.length > 0 ? r.icdFolders.join(', ') : 'VK_ICD_FILENAMES';
  if (r.icds.some((i) => i.kind === 'cpu') && r.icds.every((i) => i.kind === 'cpu')) {
    return { usable: false, text: `only a CPU Vulkan driver (${r.icds.map((i) => path.basename(i.file)).join(', ')}) is installed, which Dawn does not accept; no NVIDIA Vulkan driver manifest (nvidia_icd.json) in ${where} (it comes with the NVIDIA driver; in containers, the NVIDIA container toolkit with the graphics capability)` };
  }
  if (r.icds.length === 0) {
    return { usable: false, text: `no Vulkan driver manifest in ${where}; NVIDIA's driver installs nvidia_icd.json (in containers: NVIDIA_DRIVER_CAPABILITIES must include graphics)` };
  }
  return { usable: true, text: `Vulkan loader ${r.loader}, Vulkan drivers ${r.icds.map((i) => path.basename(i.file)).join(', ')} (no NVIDIA one)` };
}
