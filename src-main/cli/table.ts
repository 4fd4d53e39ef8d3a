/**
 * Plain-text tables for the terminal: each column as wide as its widest cell (header included), so long
 * run ids or model names never push the next column out of line. The last column is left ragged.
 */
export interface Column {
  header: string;
  align?: 'left' | 'right';
}

export function formatColumns(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => {
        const last = i === columns.length - 1;
        if (columns[i]?.align === 'right') return cell.padStart(widths[i]!);
        return last ? cell : cell.padEnd(widths[i]!);
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...rows.map(line)].join('\n');
}
