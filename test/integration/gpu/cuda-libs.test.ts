import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkCudaLibs, defaultCudaFolders, TF29_CUDA_LIBS } from '../../../src-main/gpu/cuda-libs';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'clipwb-cuda-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function touch(dir: string, names: string[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const n of names) await writeFile(path.join(dir, n), '');
}

describe('checkCudaLibs against folders of library files', () => {
  it('finds every library through LD_LIBRARY_PATH and the ldconfig cache', async () => {
    const cuda = path.join(root, 'cuda-11.8', 'lib64');
    const cudnn = path.join(root, 'cudnn', 'lib');
    await touch(cuda, ['libcudart.so.11.0', 'libcublas.so.11', 'libcublasLt.so.11', 'libcufft.so.10', 'libcurand.so.10', 'libcusolver.so.11', 'libcusparse.so.11.7.5.86']);
    await symlink('libcusparse.so.11.7.5.86', path.join(cuda, 'libcusparse.so.11'));
    await touch(cudnn, ['libcudnn.so.8']);
    const ldconfigOutput = '\tlibcuda.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcuda.so.1\n\tlibcuda.so.1 (libc6) => /usr/lib32/libcuda.so.1\n';
    const report = await checkCudaLibs({ env: { LD_LIBRARY_PATH: `${cuda}:${cudnn}` }, ldconfigOutput, folders: [] });
    expect(report.ok).toBe(true);
    expect(report.fixes).toEqual([]);
    const byName = new Map(report.libs.map((l) => [l.soname, l]));
    expect(byName.get('libcusparse.so.11')).toMatchObject({ status: 'found', via: 'LD_LIBRARY_PATH', path: path.join(cuda, 'libcusparse.so.11') });
    expect(byName.get('libcudnn.so.8')).toMatchObject({ status: 'found', path: path.join(cudnn, 'libcudnn.so.8') });
    expect(byName.get('libcuda.so.1')).toMatchObject({ status: 'found', via: 'ldconfig', path: '/usr/lib/x86_64-linux-gnu/libcuda.so.1' });
  });

  it('reports libraries present in a CUDA folder the loader does not search, with the LD_LIBRARY_PATH fix', async () => {
    const cuda = path.join(root, 'usr', 'local', 'cuda-11.8', 'lib64');
    await touch(cuda, TF29_CUDA_LIBS.filter((l) => l.family === 'cuda').map((l) => l.soname));
    const report = await checkCudaLibs({ env: {}, ldconfigOutput: '\tlibcuda.so.1 (libc6,x86-64) => /x/libcuda.so.1\n', folders: await defaultCudaFolders(root) });
    const cudart = report.libs.find((l) => l.soname === 'libcudart.so.11.0');
    expect(cudart).toMatchObject({ status: 'off-path', via: 'folder', path: path.join(cuda, 'libcudart.so.11.0') });
    expect(cudart?.fix).toContain(`export LD_LIBRARY_PATH=${cuda}:$LD_LIBRARY_PATH`);
    expect(report.libs.find((l) => l.soname === 'libcudnn.so.8')).toMatchObject({ status: 'missing' });
    expect(report.fixes).toEqual([expect.stringMatching(/sudo apt-get install libcudnn8\./), `export LD_LIBRARY_PATH=${cuda}:$LD_LIBRARY_PATH (before starting clipwb).`]);
    expect(report.ok).toBe(false);
  });

  it('names a newer CUDA that is present but unusable, and a broken symlink does not count', async () => {
    const cuda13 = path.join(root, 'usr', 'local', 'cuda-13.0', 'lib64');
    await touch(cuda13, ['libcudart.so.13', 'libcudart.so.13.0.96', 'libcublas.so.13']);
    await symlink('libcudnn.so.8.9.7', path.join(cuda13, 'libcudnn.so.8'));
    const report = await checkCudaLibs({ env: { LD_LIBRARY_PATH: cuda13 }, ldconfigOutput: null, folders: [] });
    expect(report.ldconfigRead).toBe(false);
    const cudart = report.libs.find((l) => l.soname === 'libcudart.so.11.0');
    expect(cudart).toMatchObject({ status: 'missing', otherVersions: ['libcudart.so.13'] });
    expect(cudart?.fix).toMatch(/found libcudart\.so\.13, a different major version/);
    expect(report.libs.find((l) => l.soname === 'libcudnn.so.8')?.status).toBe('missing');
    expect(report.libs.find((l) => l.soname === 'libcuda.so.1')?.fix).toMatch(/install the NVIDIA driver/);
  });

  it('reads the real ldconfig cache of this machine without failing', async () => {
    const report = await checkCudaLibs();
    expect(report.libs).toHaveLength(TF29_CUDA_LIBS.length);
    for (const lib of report.libs) expect(['found', 'off-path', 'missing']).toContain(lib.status);
  });
});
