import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseComputeApps, parseGpuSamples, parseGpuStatic } from '../../../src-main/gpu/smi-parse';
import { STATIC_FIELDS_LEGACY } from '../../../src-main/gpu/smi-queries';

const fixture = (name: string) => readFile(fileURLToPath(new URL(`../../fixtures/nvidia-smi/${name}`, import.meta.url)), 'utf8');

describe('parseGpuSamples', () => {
  it('reads the recorded H100 output', async () => {
    const { rows, problems } = parseGpuSamples(await fixture('h100-1gpu/query-gpu.txt'));
    expect(problems).toEqual([]);
    expect(rows).toHaveLength(4);
    expect(rows[0]).toEqual({
      index: 0,
      uuid: 'GPU-7aeccd31-8678-7946-3551-e85e3a628802',
      name: 'NVIDIA H100 80GB HBM3',
      utilizationPct: 0,
      memoryUsedMiB: 0,
      memoryTotalMiB: 81559,
      temperatureC: 34,
      powerDrawW: 69.72,
      powerLimitW: 700,
    });
  });

  it('reads the recorded busy H100 and its compute process', async () => {
    const { rows } = parseGpuSamples(await fixture('h100-1gpu-busy/query-gpu.txt'));
    expect(rows.map((r) => [r.utilizationPct, r.memoryUsedMiB, r.powerDrawW])).toEqual([[99, 1395, 245.94], [99, 1395, 650.6], [98, 1395, 658.79]]);
    expect(parseComputeApps(await fixture('h100-1gpu-busy/compute-apps.txt')).rows).toEqual([{ pid: 422, gpuUuid: rows[0]?.uuid, usedMemoryMiB: 1386 }]);
  });

  it('reads an 8-GPU box: idle GPUs are 0, not null', async () => {
    const { rows } = parseGpuSamples(await fixture('a100-8gpu/query-gpu.txt'));
    expect(rows.slice(0, 8).map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(rows[4]?.utilizationPct).toBe(0);
  });

  it('turns [N/A] and [Not Supported] into null, never 0 or undefined', async () => {
    const rtx = parseGpuSamples(await fixture('rtx3090-2gpu/query-gpu.txt')).rows;
    expect(rtx[0]?.powerDrawW).toBeNull();
    expect(rtx[1]?.powerDrawW).toBe(109.37);
    const old = parseGpuSamples(await fixture('old-driver-2gpu/query-gpu.txt')).rows;
    expect(old[1]).toMatchObject({ utilizationPct: null, powerDrawW: null, powerLimitW: null, memoryUsedMiB: 312 });
    for (const row of [...rtx, ...old]) for (const v of Object.values(row)) expect(v).not.toBeUndefined();
  });

  it('reports malformed lines with their line number and keeps the good ones', async () => {
    const { rows, problems } = parseGpuSamples(await fixture('malformed/query-gpu.txt'));
    expect(rows.map((r) => r.index)).toEqual([0, 2]);
    expect(rows[1]).toMatchObject({ utilizationPct: null, memoryUsedMiB: null, temperatureC: null, powerDrawW: 23.9 });
    expect(problems.map((p) => p.line)).toEqual([2, 3, 4, 6, 7]);
    expect(problems[1]?.reason).toMatch(/utilization\.gpu is not a number: "fifty"/);
    expect(problems[2]?.reason).toMatch(/index/);
    expect(problems[3]?.reason).toMatch(/uuid is missing/);
    expect(problems[4]?.reason).toMatch(/expected 9 comma-separated fields/);
  });

  it('keeps a GPU name that contains a comma, and parses values printed with units', () => {
    const { rows, problems } = parseGpuSamples('0, GPU-1234, Some GPU, Rev 2, 5 %, 100 MiB, 200 MiB, 40, 50.5 W, 60.00 W\n');
    expect(problems).toEqual([]);
    expect(rows[0]).toMatchObject({ name: 'Some GPU, Rev 2', utilizationPct: 5, memoryUsedMiB: 100, powerDrawW: 50.5, powerLimitW: 60 });
  });
});

describe('parseComputeApps', () => {
  it('reads processes, with [N/A] memory as null', async () => {
    const { rows, problems } = parseComputeApps(await fixture('rtx3090-2gpu/compute-apps.txt'));
    expect(problems).toEqual([]);
    expect(rows.map((r) => [r.pid, r.usedMemoryMiB])).toEqual([[3312, 21840], [2011, null]]);
  });

  it('reads nothing from the recorded empty output and from the "No running processes found" notice', async () => {
    expect(parseComputeApps(await fixture('h100-1gpu/compute-apps.txt'))).toEqual({ rows: [], problems: [] });
    expect(parseComputeApps('No running processes found\n')).toEqual({ rows: [], problems: [] });
  });

  it('reports a malformed row', () => {
    const { rows, problems } = parseComputeApps('12, GPU-a, 10\nabc, GPU-b, 3\n');
    expect(rows).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 2, reason: expect.stringMatching(/pid/) });
  });
});

describe('parseGpuStatic', () => {
  it('reads compute capability, driver and bus id', async () => {
    const { rows } = parseGpuStatic(await fixture('rtx3090-2gpu/static.txt'));
    expect(rows[1]).toEqual({ index: 1, name: 'NVIDIA GeForce RTX 3090', memoryTotalMiB: 24576, computeCapability: '8.6', driverVersion: '550.54.14', pciBusId: '00000000:21:00.0' });
  });

  it('reads the legacy query without compute_cap, and an unsupported compute_cap as null', async () => {
    const legacy = parseGpuStatic(await fixture('old-driver-2gpu/static-legacy.txt'), STATIC_FIELDS_LEGACY);
    expect(legacy.problems).toEqual([]);
    expect(legacy.rows[0]).toMatchObject({ name: 'Tesla K80', computeCapability: null, driverVersion: '470.82.01' });
    expect(parseGpuStatic('0, Old GPU, 2001, [Not Supported], 470.82.01, 00000000:05:00.0').rows[0]?.computeCapability).toBeNull();
    expect(parseGpuStatic('0, Odd GPU, 2001, nine, 470.82.01, 00000000:05:00.0').problems[0]?.reason).toMatch(/compute_cap/);
  });
});
