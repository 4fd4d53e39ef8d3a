import { describe, expect, it, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend, parseBackendPreference } from '../../../src-worker/backend/select';
import { probeWebgpu, describeAdapter, dawnFlags, type DawnModule } from '../../../src-worker/backend/webgpu';
import { checkVulkan, explainVulkan, type VulkanFs } from '../../../src-worker/backend/vulkan';

afterAll(async () => { await initBackend('cpu'); });

function fakeFs(files: Record<string, string>): VulkanFs {
  return {
    exists: (p) => p in files,
    readdir: (d) => Object.keys(files).filter((f) => f.startsWith(`${d}/`) && !f.slice(d.length + 1).includes('/')).map((f) => f.slice(d.length + 1)),
    readFile: (p) => { const t = files[p]; if (t === undefined) throw new Error('ENOENT'); return t; },
  };
}
const env = { HOME: '/home/u', XDG_DATA_DIRS: '/usr/share' };

describe('Vulkan diagnosis (why Dawn sees or misses a GPU)', () => {
  it('names the missing loader first', () => {
    const r = checkVulkan(env, fakeFs({}));
    expect(r.loader).toBeNull();
    expect(explainVulkan(r)).toEqual({ usable: false, text: expect.stringMatching(/libvulkan\.so\.1 is not installed.*apt-get install libvulkan1/) });
  });

  it('rejects a CPU-only driver (lavapipe) and finds NVIDIA\'s manifest', () => {
    const lvp = { '/usr/lib/x86_64-linux-gnu/libvulkan.so.1': '', '/usr/share/vulkan/icd.d/lvp_icd.x86_64.json': '{"ICD":{"library_path":"libvulkan_lvp.so"}}' };
    const cpuOnly = explainVulkan(checkVulkan(env, fakeFs(lvp)));
    expect(cpuOnly.usable).toBe(false);
    expect(cpuOnly.text).toMatch(/only a CPU Vulkan driver \(lvp_icd\.x86_64\.json\).*nvidia_icd\.json/);
    const withNvidia = checkVulkan(env, fakeFs({ ...lvp, '/etc/vulkan/icd.d/nvidia_icd.json': '{"ICD":{"library_path":"libGLX_nvidia.so.0"}}' }));
    expect(withNvidia.icds.find((i) => i.kind === 'nvidia')?.library).toBe('libGLX_nvidia.so.0');
    expect(explainVulkan(withNvidia)).toEqual({ usable: true, text: expect.stringContaining('/etc/vulkan/icd.d/nvidia_icd.json') });
  });

  it('honours VK_ICD_FILENAMES instead of the folders', () => {
    const r = checkVulkan({ ...env, VK_ICD_FILENAMES: '/opt/nv.json' }, fakeFs({ '/usr/lib/libvulkan.so.1': '', '/opt/nv.json': '{"ICD":{"library_path":"libnvidia-vk.so"}}' }));
    expect(r.icdFolders).toEqual([]);
    expect(r.icds).toEqual([{ file: '/opt/nv.json', library: 'libnvidia-vk.so', kind: 'nvidia' }]);
  });
});

describe('webgpu probe', () => {
  const dawn = (adapter: unknown): DawnModule => ({ create: () => ({ requestAdapter: () => Promise.resolve(adapter as null) }), globals: {} });
  const loaderPresent = () => ({ loader: '/usr/lib/libvulkan.so.1', icds: [], icdFolders: [] });

  it('does not load Dawn at all on Linux without the Vulkan loader', async () => {
    let loaded = false;
    const r = await probeWebgpu(() => { loaded = true; return Promise.resolve(dawn(null)); }, () => 'unused', () => ({ loader: null, icds: [], icdFolders: [] }));
    expect(loaded).toBe(false);
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/^Dawn found no GPU adapter: the Vulkan loader libvulkan\.so\.1 is not installed/) });
  });

  it('explains a missing adapter with the Vulkan reason', async () => {
    const r = await probeWebgpu(() => Promise.resolve(dawn(null)), () => 'only a CPU Vulkan driver', loaderPresent);
    expect(r).toEqual({ ok: false, reason: 'Dawn found no GPU adapter: only a CPU Vulkan driver' });
  });

  it('says when the package is not installed', async () => {
    const r = await probeWebgpu(() => Promise.reject(Object.assign(new Error('nope'), { code: 'ERR_MODULE_NOT_FOUND' })), () => '', loaderPresent);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/webgpu package \(Dawn\) is not installed.*npm install webgpu/);
  });

  it('describes an adapter and reads Dawn flags', async () => {
    const r = await probeWebgpu(() => Promise.resolve(dawn({ info: { vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200' } })), () => '', loaderPresent);
    expect(r.ok && r.adapter).toBe('nvidia / hopper / NVIDIA H200');
    expect(describeAdapter(undefined)).toBe('adapter without a description');
    expect(dawnFlags({ CLIPWB_DAWN_FLAGS: 'backend=vulkan, adapter=NVIDIA' })).toEqual(['backend=vulkan', 'adapter=NVIDIA']);
  });
});

describe('backend selection with webgpu', () => {
  it('accepts webgpu as a --backend value', () => {
    expect(parseBackendPreference('WebGPU')).toBe('webgpu');
    expect(() => parseBackendPreference('vulkan')).toThrow(/not one of auto, tensorflow, webgpu, wasm, cpu/);
  });

  it('auto tries webgpu after tensorflow and before wasm, and falls through when there is no adapter', async () => {
    const calls: string[] = [];
    const r = await initBackend('auto', { probeWebgpu: () => { calls.push('probe'); return Promise.resolve({ ok: false, reason: 'Dawn found no GPU adapter: test' }); } });
    const order = r.attempts.map((a) => a.candidate);
    if (r.name === 'tensorflow') {
      expect(order).not.toContain('webgpu'); // tfjs-node(-gpu) is installed here and comes first
      return;
    }
    expect(calls).toEqual(['probe']);
    expect(order.indexOf('webgpu')).toBeGreaterThan(order.indexOf('tfjs-node'));
    expect(order.indexOf('webgpu')).toBeLessThan(order.indexOf('wasm'));
    expect(r.attempts.find((a) => a.candidate === 'webgpu')).toEqual({ candidate: 'webgpu', ok: false, reason: 'Dawn found no GPU adapter: test' });
    expect(r.name).toBe('wasm');
  });

  it('picks webgpu where an adapter exists, before wasm, and reports the adapter', async () => {
    let started = false;
    const r = await initBackend('webgpu', {
      probeWebgpu: () => Promise.resolve({ ok: true, gpu: { requestAdapter: () => Promise.resolve(null) }, globals: {}, adapter: 'NVIDIA H200 (fake)' }),
      // Stand-in for the real start (needs a GPU): leave a backend running so the report is consistent.
      startWebgpu: async () => { started = true; await tf.setBackend('cpu'); },
    });
    expect(started).toBe(true);
    expect(r).toMatchObject({ name: 'webgpu', gpu: true, details: { adapter: 'NVIDIA H200 (fake)' } });
    expect(r.attempts.map((a) => a.candidate)).toEqual(['webgpu']);
  });

  it('--backend webgpu on this machine fails with the reason from Dawn (skipped where Dawn finds an adapter)', async () => {
    const real = await probeWebgpu();
    if (real.ok) return; // a GPU machine: nothing to assert about the failure
    await expect(initBackend('webgpu')).rejects.toThrow(/backend "webgpu" could not be started \(webgpu: (Dawn found no GPU adapter: .+|the webgpu package \(Dawn\) is not installed.+)\)/);
  });
});
