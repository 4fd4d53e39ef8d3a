/** Plain-text results table for the terminal: task, metric, value; then the average and group means. */
import type { AggregateScores } from './aggregate';
import type { TaskOutcome } from './evaluate-tasks';

export interface ResultsTableOptions {
  /** Every metric of each task instead of its main metric only. */
  allMetrics?: boolean;
  decimals?: number;
}

function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, c) => (c === cells.length - 1 ? cell : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function formatValue(v: number | null | undefined, decimals: number): string {
  return typeof v === 'number' ? v.toFixed(decimals) : 'n/a';
}

export function formatResultsTable(summary: { outcomes: readonly TaskOutcome[]; aggregates?: AggregateScores }, options: ResultsTableOptions = {}): string {
  const decimals = options.decimals ?? 4;
  const rows: string[][] = [];
  for (const o of summary.outcomes) {
    if (o.status === 'skipped' || o.status === 'failed') {
      rows.push([o.dataset, o.mainMetricName ?? '-', `${o.status}: ${o.reason ?? ''}`.trimEnd()]);
    } else if (options.allMetrics && o.metrics) {
      for (const [name, v] of Object.entries(o.metrics)) rows.push([o.dataset, name, formatValue(v, decimals)]);
    } else {
      rows.push([o.dataset, o.mainMetricName ?? '-', o.mainMetricName === null ? 'no main metric' : formatValue(o.mainMetric, decimals)]);
    }
  }
  const agg = summary.aggregates;
  if (agg) {
    rows.push(['', '', '']);
    rows.push([`Average of ${agg.averageOver} task${agg.averageOver === 1 ? '' : 's'}`, 'main_metric', formatValue(agg.average, decimals)]);
    for (const g of agg.groups) {
      rows.push([g.name, 'mean main_metric', g.value === null ? `incomplete (${g.have}/${g.of} tasks)` : formatValue(g.value, decimals)]);
    }
    rows.push(['DataComp average', 'mean main_metric', agg.datacompAverage === null ? `incomplete (${agg.datacompHave}/${agg.datacompOf} tasks)` : formatValue(agg.datacompAverage, decimals)]);
  }
  return renderTable(['Task', 'Metric', 'Value'], rows);
}
