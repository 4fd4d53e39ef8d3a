/**
 * Are the CUDA and cuDNN libraries that @tensorflow/tfjs-node-gpu 4.22 needs loadable? It bundles
 * libtensorflow 2.9.1, built against CUDA 11.2 and cuDNN 8.1, which dlopen()s the sonames below at
 * start. Any CUDA 11.x (11.2+) and cuDNN 8.x (8.1+) do; CUDA 12/13 and cuDNN 9 carry other sonames
 * and do NOT work (libcurand.so.10 is the exception: its soname did not change).
 *
 * A library is "found" when the dynamic loader will find it: in an LD_LIBRARY_PATH folder (searched
 * first) or in the ldconfig cache. A library that exists in a CUDA folder the loader does not search
 * is "off-path": the fix is LD_LIBRARY_PATH, not an install.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseLdconfig, readLdconfigCache } from './ldconfig';

export interface CudaLibRequirement {
  soname: string;
  description: string;
  family: 'driver' | 'cuda' | 'cudnn';
  /** Debian/Ubuntu package in NVIDIA's CUDA repository that provides it. */
  aptPackage: string;
}

export const TF29_CUDA_LIBS: readonly CudaLibRequirement[] = [
  { soname: 'libcuda.so.1', description: 'CUDA driver API (comes with the NVIDIA driver)', family: 'driver', aptPackage: 'nvidia-driver-535' },
  { soname: 'libcudart.so.11.0', description: 'CUDA 11 runtime', family: 'cuda', aptPackage: 'cuda-cudart-11-8' },
  { soname: 'libcublas.so.11', description: 'cuBLAS 11', family: 'cuda', aptPackage: 'libcublas-11-8' },
  { soname: 'libcublasLt.so.11', description: 'cuBLASLt 11', family: 'cuda', aptPackage: 'libcublas-11-8' },
  { soname: 'libcufft.so.10', description: 'cuFFT 10 (CUDA 11)', family: 'cuda', aptPackage: 'libcufft-11-8' },
  { soname: 'libcurand.so.10', description: 'cuRAND 10', family: 'cuda', aptPackage: 'libcurand-11-8' },
  { soname: 'libcusolver.so.11', description: 'cuSOLVER 11', family: 'cuda', aptPackage: 'libcusolver-11-8' },
  { soname: 'libcusparse.so.11', description: 'cuSPARSE 11', family: 'cuda', aptPackage: 'libcusparse-11-8' },
  { soname: 'libcudnn.so.8', description: 'cuDNN 8', family: 'cudnn', aptPackage: 'libcudnn8' },
];

export type CudaLibStatus = 'found' | 'off-path' | 'missing';

export interface CudaLibCheck {
  soname: string;
  description: string;
  family: CudaLibRequirement['family'];
  status: CudaLibStatus;
  /** Where the loader (found) or our search (off-path) saw it. */
  path: string | null;
  via: 'LD_LIBRARY_PATH' | 'ldconfig' | 'folder' | null;
  /** Other major versions of the same library that are present, e.g. libcudart.so.13. */
  otherVersions: string[];
  /** What to do, for off-path and missing. */
  fix: string | null;
}

export interface CudaLibsReport {
  ok: boolean;
  libs: CudaLibCheck[];
  /** Whether `ldconfig -p` could be read; without it only folders were searched. */
  ldconfigRead: boolean;
  searchedFolders: string[];
  /** One line per distinct action, most useful first. */
  fixes: string[];
}

export interface CudaLibsOptions {
  env?: NodeJS.ProcessEnv;
  /** `ldconfig -p` text; null = not available; undefined = run ldconfig. */
  ldconfigOutput?: string | null;
  /** Folders to look in besides LD_LIBRARY_PATH. Default: /usr/local/cuda*\/lib64 and targets, /usr/lib/x86_64-linux-gnu, /usr/lib64. */
  folders?: string[];
  requirements?: readonly CudaLibRequirement[];
}

export async function defaultCudaFolders(root = '/'): Promise<string[]> {
  const local = path.join(root, 'usr', 'local');
  let names: string[] = [];
  try {
    names = (await readdir(local)).filter((n) => /^cuda(-[\d.]+)?$/.test(n)).sort();
  } catch {
    names = [];
  }
  const cudaDirs = names.flatMap((n) => [path.join(local, n, 'lib64'), path.join(local, n, 'targets', 'x86_64-linux', 'lib')]);
  return [...cudaDirs, path.join(root, 'usr', 'lib', 'x86_64-linux-gnu'), path.join(root, 'usr', 'lib64')];
}

export async function checkCudaLibs(options: CudaLibsOptions = {}): Promise<CudaLibsReport> {
  const env = options.env ?? process.env;
  const requirements = options.requirements ?? TF29_CUDA_LIBS;
  const ldText = options.ldconfigOutput === undefined ? await readLdconfigCache(env) : options.ldconfigOutput;
  const ldEntries = ldText === null ? [] : parseLdconfig(ldText);
  const ldPathDirs = (env.LD_LIBRARY_PATH ?? '').split(':').filter((d) => d !== '');
  const folders = (options.folders ?? (await defaultCudaFolders())).filter((d) => !ldPathDirs.includes(d));
  const listings = new Map<string, string[]>();
  for (const dir of [...ldPathDirs, ...folders]) listings.set(dir, await listLibraries(dir));

  const libs = requirements.map((req): CudaLibCheck => {
    const base = req.soname.replace(/\.so\..*$/, '');
    const seen = new Set<string>([
      ...ldEntries.map((e) => e.soname),
      ...[...listings.values()].flat(),
    ]);
    const otherVersions = [...seen]
      .filter((n) => n.startsWith(`${base}.so.`) && n !== req.soname && !n.startsWith(`${req.soname}.`) && /^\S+\.so\.\d+(\.\d+)?$/.test(n))
      .filter((n) => majorOf(n) !== majorOf(req.soname))
      .sort();
    const inLdPath = ldPathDirs.find((d) => listings.get(d)?.includes(req.soname));
    if (inLdPath) return found(req, path.join(inLdPath, req.soname), 'LD_LIBRARY_PATH', otherVersions);
    const cached = ldEntries.find((e) => e.soname === req.soname);
    if (cached) return found(req, cached.path, 'ldconfig', otherVersions);
    const inFolder = folders.find((d) => listings.get(d)?.includes(req.soname));
    if (inFolder) {
      return {
        ...found(req, path.join(inFolder, req.soname), 'folder', otherVersions),
        status: 'off-path',
        fix: `${req.soname} is in ${inFolder}, which the loader does not search: export LD_LIBRARY_PATH=${inFolder}:$LD_LIBRARY_PATH before starting clipwb (or add the folder to /etc/ld.so.conf.d/ and run sudo ldconfig).`,
      };
    }
    return { ...found(req, null, null, otherVersions), status: 'missing', fix: missingFix(req, otherVersions) };
  });

  return {
    ok: libs.every((l) => l.status === 'found'),
    libs,
    ldconfigRead: ldText !== null,
    searchedFolders: [...ldPathDirs, ...folders],
    fixes: summariseFixes(libs),
  };
}

function found(req: CudaLibRequirement, p: string | null, via: CudaLibCheck['via'], otherVersions: string[]): CudaLibCheck {
  return { soname: req.soname, description: req.description, family: req.family, status: 'found', path: p, via, otherVersions, fix: null };
}

function majorOf(soname: string): string {
  return /\.so\.(\d+)/.exec(soname)?.[1] ?? '';
}

function missingFix(req: CudaLibRequirement, otherVersions: string[]): string {
  const others = otherVersions.length > 0 ? ` (found ${otherVersions.join(', ')}, a different major version that TensorFlow 2.9 cannot use)` : '';
  switch (req.family) {
    case 'driver':
      return `${req.soname} is missing${others}: install the NVIDIA driver (e.g. sudo apt-get install ${req.aptPackage}) and reboot.`;
    case 'cudnn':
      return `${req.soname} is missing${others}: install cuDNN 8 for CUDA 11 from NVIDIA's CUDA repository: sudo apt-get install ${req.aptPackage} (cuDNN 9 does not work with TensorFlow 2.9).`;
    default:
      return `${req.soname} is missing${others}: install the CUDA 11 package ${req.aptPackage} from NVIDIA's CUDA repository (or the whole cuda-libraries-11-8); CUDA 12 and 13 libraries do not work with TensorFlow 2.9.`;
  }
}

function summariseFixes(libs: CudaLibCheck[]): string[] {
  const fixes: string[] = [];
  const missing = libs.filter((l) => l.status === 'missing');
  const pkg = (family: CudaLibRequirement['family']) =>
    [...new Set(missing.filter((l) => l.family === family).map((l) => TF29_CUDA_LIBS.find((r) => r.soname === l.soname)?.aptPackage ?? l.soname))];
  if (pkg('driver').length > 0) fixes.push('Install the NVIDIA driver (e.g. sudo apt-get install nvidia-driver-535) and reboot.');
  const cuda = pkg('cuda');
  const cudnn = pkg('cudnn');
  if (cuda.length + cudnn.length > 0) {
    fixes.push(
      `Add NVIDIA's CUDA repository (https://developer.nvidia.com/cuda-11-8-0-download-archive, "deb (network)"), then: sudo apt-get install ${[...cuda, ...cudnn].join(' ')}. These install beside a newer CUDA without replacing it.`,
    );
  }
  const offPathDirs = [...new Set(libs.filter((l) => l.status === 'off-path' && l.path).map((l) => path.dirname(l.path as string)))];
  if (offPathDirs.length > 0) fixes.push(`export LD_LIBRARY_PATH=${offPathDirs.join(':')}:$LD_LIBRARY_PATH (before starting clipwb).`);
  return fixes;
}

async function listLibraries(dir: string): Promise<string[]> {
  try {
    const names = await readdir(dir);
    const libs: string[] = [];
    for (const n of names) {
      if (!n.startsWith('lib') || !n.includes('.so')) continue;
      // Symlinks count (sonames usually are links); broken links do not.
      try {
        await stat(path.join(dir, n));
        libs.push(n);
      } catch {
        /* broken link */
      }
    }
    return libs;
  } catch {
    return [];
  }
}
