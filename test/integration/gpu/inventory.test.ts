import { describe, expect, it } from 'vitest';
import { collectSystemInventory } from '../../../src-main/system/inventory';

describe('static system inventory', () => {
  it('reads CPU, memory and OS through systeminformation in a child process', async () => {
    const inv = await collectSystemInventory({ timeoutMs: 30_000, includeGraphics: false });
    expect(inv.problems).toEqual([]);
    expect(inv.cpu.source).toBe('systeminformation');
    expect(inv.cpu.logicalCores).toBeGreaterThan(0);
    expect(inv.memory.totalBytes).toBeGreaterThan(inv.memory.availableBytes);
    expect(inv.os.platform).toBe(process.platform);
    expect(inv.gpus).toBeNull();
  });

  it('does not hang when the probes are slower than the timeout: it reports them and falls back to Node', async () => {
    const inv = await collectSystemInventory({ timeoutMs: 1 });
    expect(inv.problems.map((p) => p.probe).sort()).toEqual(['cpu', 'graphics', 'mem', 'os']);
    expect(inv.problems[0]?.message).toMatch(/no answer within 1 ms/);
    expect(inv.cpu).toMatchObject({ source: 'node' });
    expect(inv.cpu.logicalCores).toBeGreaterThan(0);
    expect(inv.memory.source).toBe('node');
    expect(inv.gpus).toBeNull();
  });
});
