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
