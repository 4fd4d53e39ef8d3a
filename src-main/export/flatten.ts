/** Flattens a nested config into dotted column names for spreadsheets: {optim: {lr: 1}} -> optim.lr. */
import type { JsonValue } from '../store/json';
import type { CsvValue } from '../../src-shared/csv';

export function flattenJson(value: JsonValue, prefix: string, out: Map<string, CsvValue> = new Map()): Map<string, CsvValue> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0 && prefix) out.set(prefix, '{}');
    for (const [k, v] of entries) flattenJson(v, prefix ? `${prefix}.${k}` : k, out);
    return out;
  }
  // Arrays stay one cell (as JSON): per-index columns would differ between runs and read badly.
  if (Array.isArray(value)) out.set(prefix, JSON.stringify(value));
  else out.set(prefix, value);
  return out;
}
