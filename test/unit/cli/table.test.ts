import { describe, expect, it } from 'vitest';
import { formatColumns } from '../../../src-main/cli/table';

describe('formatColumns', () => {
  it('sizes every column to its widest cell, so a long id keeps the next columns aligned', () => {
    const out = formatColumns(
      [{ header: 'id' }, { header: 'status' }, { header: 'loss', align: 'right' }, { header: 'name' }],
      [
        ['20261203-130501-a-very-long-run-name-from-a-sweep-7f3a', 'finished', '0.1234', 'sweep 7'],
        ['short', 'running', '12.5000', 'x'],
      ],
    ).split('\n');
    expect(out).toHaveLength(3);
    const statusAt = out.map((l) => l.search(/status|finished|running/));
    expect(new Set(statusAt).size).toBe(1); // the status column starts at the same place on every line
    const nameAt = out.map((l, i) => l.indexOf(['name', 'sweep 7', 'x'][i]!));
    expect(new Set(nameAt).size).toBe(1);
    expect(out[1]).toContain('finished   0.1234  sweep 7'); // numbers right-aligned under their header
    expect(out[2]).toContain('running   12.5000  x');
    for (const l of out) expect(l).toBe(l.trimEnd());
  });
});

describe('formatMetric (runs show)', () => {
  it('prints six significant digits without trailing zeros, and tiny or huge values in exponent notation', async () => {
    const { formatMetric } = await import('../../../src-main/cli/commands/runs');
    expect(formatMetric(1)).toBe('1');
    expect(formatMetric(0.7604)).toBe('0.7604');
    expect(formatMetric(0.123456789)).toBe('0.123457');
    expect(formatMetric(4.30994e-7)).toBe('4.310e-7');
    expect(formatMetric(0)).toBe('0');
    expect(formatMetric(2.5e7)).toBe('2.500e+7');
  });
});
