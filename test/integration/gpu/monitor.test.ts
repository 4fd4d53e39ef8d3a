import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GpuMonitor } from '../../../src-main/gpu/monitor';
import type { GpuLiveStatus, GpuMonitorOptions } from '../../../src-main/gpu/monitor-types';

const fakeDir = fileURLToPath(new URL('../../helpers/fake-nvidia-smi', import.meta.url));

function fakeEnv(fixture: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${fakeDir}${path.delimiter}${process.env.PATH ?? ''}`, FAKE_NVIDIA_SMI_FIXTURE: fixture, ...extra };
}

const monitors: GpuMonitor[] = [];
function monitor(options: GpuMonitorOptions): GpuMonitor {
  const m = new GpuMonitor({ intervalMs: 50, appsIntervalMs: 100, restartBackoff: { initialMs: 20, maxMs: 200 }, ...options });
  monitors.push(m);
  return m;
}

afterEach(async () => {
  await Promise.all(monitors.splice(0).map((m) => m.stop()));
});

const WAIT = { timeout: 10_000, interval: 20 };

describe('GpuMonitor with a fake nvidia-smi on PATH', () => {
  it('streams samples from one long-lived nvidia-smi, keeps history and attributes processes to runs', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'clipwb-smi-'));
    const log = path.join(dir, 'calls.log');
    const runs = new Map([[41213, 'run-a'], [41214, 'run-a']]);
    const m = monitor({ env: fakeEnv('a100-8gpu', { FAKE_NVIDIA_SMI_LOG: log }), runForPid: (pid) => runs.get(pid) });
    const states: string[] = [];
    m.on('state', (s) => states.push(s));
    await m.start();
    await vi.waitFor(() => expect(m.history(0).length).toBeGreaterThanOrEqual(5), WAIT);
    const snap = m.snapshot();
    expect(snap.state).toBe('running');
    expect(snap.gpus.map((g) => g.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(snap.gpus[4]?.sample.utilizationPct).toBe(0);
    expect(snap.gpus[0]?.sample).toMatchObject({ name: 'NVIDIA A100-SXM4-80GB', memoryTotalMiB: 81920, powerLimitW: 400 });

    await vi.waitFor(() => expect(m.snapshot().gpus[0]?.processes.length).toBe(1), WAIT);
    const gpus = m.snapshot().gpus;
    expect(gpus[0]?.processes).toEqual([{ pid: 41213, usedMemoryMiB: 61225, runId: 'run-a' }]);
    expect(gpus[6]?.processes).toEqual([{ pid: 50321, usedMemoryMiB: 77992, runId: null }]);
    expect(gpus[4]?.processes).toEqual([]);

    const calls = (await readFile(log, 'utf8')).trim().split('\n');
    const streams = calls.filter((c) => c.includes('-lms'));
    expect(streams).toHaveLength(1);
    expect(streams[0]).toContain('-lms 50');
    expect(calls.some((c) => c.includes('--query-compute-apps=pid,gpu_uuid,used_memory'))).toBe(true);
    expect(states).toEqual(['starting', 'running']);
    const history = m.history(0);
    expect(history.every((p, i) => i === 0 || p.t >= (history[i - 1]?.t ?? 0))).toBe(true);
    await rm(dir, { recursive: true, force: true });
  });

  it('attributes the recorded busy H100 process to its run', async () => {
    const m = monitor({ env: fakeEnv('h100-1gpu-busy'), runForPid: (pid) => (pid === 422 ? 'run-h100' : undefined) });
    await m.start();
    await vi.waitFor(() => expect(m.snapshot().gpus[0]?.processes).toEqual([{ pid: 422, usedMemoryMiB: 1386, runId: 'run-h100' }]), WAIT);
    expect(m.snapshot().gpus[0]?.sample.utilizationPct).toBeGreaterThanOrEqual(98);
  });

  it('keeps [N/A] and [Not Supported] as null in live samples', async () => {
    const m = monitor({ env: fakeEnv('old-driver-2gpu') });
    await m.start();
    await vi.waitFor(() => expect(m.snapshot().gpus).toHaveLength(2), WAIT);
    expect(m.snapshot().gpus[1]?.sample).toMatchObject({ name: 'NVIDIA GeForce GT 710', utilizationPct: null, powerDrawW: null, powerLimitW: null, temperatureC: 41 });
    expect(m.history(1).at(-1)?.utilizationPct).toBeNull();
  });

  it('marks a GPU that disappears from the output as gone, and reports the error line as a problem', async () => {
    const m = monitor({ env: fakeEnv('gpu-disappears'), goneAfterMs: 300 });
    const gone: GpuLiveStatus[] = [];
    const problems: string[] = [];
    m.on('gone', (g) => gone.push(g));
    m.on('problem', (p) => problems.push(p.text));
    await m.start();
    await vi.waitFor(() => expect(gone).toHaveLength(1), WAIT);
    expect(gone[0]).toMatchObject({ index: 1, present: false });
    const snap = m.snapshot();
    expect(snap.state).toBe('running');
    expect(snap.gpus.map((g) => [g.index, g.present])).toEqual([[0, true], [1, false]]);
    expect(problems.some((p) => p.startsWith('Unable to determine the device handle for GPU1'))).toBe(true);
    // The gone GPU's history stays for the sparkline; the live one keeps growing.
    const before = m.history(0).length;
    await vi.waitFor(() => expect(m.history(0).length).toBeGreaterThan(before + 2), WAIT);
    expect(m.history(1).length).toBe(3);
  });

  it('reports "no GPU" as a state when nvidia-smi is not on PATH', async () => {
    const m = monitor({ env: { ...process.env, PATH: path.join(tmpdir(), 'clipwb-no-such-dir') } });
    const states: [string, string | null][] = [];
    m.on('state', (s, reason) => states.push([s, reason]));
    await m.start();
    expect(m.snapshot()).toMatchObject({ state: 'no-gpu', gpus: [], restarts: 0 });
    expect(states.at(-1)?.[1]).toMatch(/nvidia-smi was not found on PATH/);
  });

  it('reports "no GPU" when nvidia-smi says no devices were found', async () => {
    const m = monitor({ env: fakeEnv('no-devices') });
    await m.start();
    await vi.waitFor(() => expect(m.snapshot().state).toBe('no-gpu'), WAIT);
    expect(m.snapshot().reason).toMatch(/found no NVIDIA GPU/);
  });

  it('restarts nvidia-smi with back-off when it dies, and samples continue', async () => {
    const m = monitor({ env: fakeEnv('rtx3090-2gpu', { FAKE_NVIDIA_SMI_EXIT_AFTER: '2' }) });
    const states: string[] = [];
    m.on('state', (s) => states.push(s));
    await m.start();
    await vi.waitFor(() => expect(m.snapshot().restarts).toBeGreaterThanOrEqual(2), WAIT);
    expect(states).toContain('restarting');
    await vi.waitFor(() => expect(m.snapshot().state).toBe('running'), WAIT);
    expect(m.history(0).length).toBeGreaterThanOrEqual(4);
    expect(m.snapshot().gpus[0]?.sample.powerDrawW).toBeNull();
  });

  it('kills and restarts an nvidia-smi that hangs without output', async () => {
    const m = monitor({ env: fakeEnv('h100-1gpu', { FAKE_NVIDIA_SMI_HANG: '1' }), stallAfterMs: 200 });
    await m.start();
    await vi.waitFor(() => expect(m.snapshot().restarts).toBeGreaterThanOrEqual(1), WAIT);
    expect(m.snapshot().reason).toMatch(/killed by SIGKILL/);
  });

  it('stops its child on stop()', async () => {
    const m = monitor({ env: fakeEnv('h100-1gpu') });
    await m.start();
    await vi.waitFor(() => expect(m.history(0).length).toBeGreaterThan(0), WAIT);
    await m.stop();
    const n = m.history(0).length;
    await new Promise((r) => setTimeout(r, 200));
    expect(m.history(0).length).toBe(n);
    expect(m.snapshot().state).toBe('stopped');
  });
});
