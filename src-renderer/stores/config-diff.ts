/**
 * Configs side by side: the union of keys, each with every run's value and whether they differ, for
 * the compare page (differing keys highlighted) and "only differences" filtering.
 */

export interface DiffRow {
  key: string;
  /** One per config; undefined where that config lacks the key. */
  values: unknown[];
  differs: boolean;
}

/** JSON with sorted object keys, so {a,b} and {b,a} compare equal. */
export function stableStringify(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? String(v);
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`).join(',')}}`;
}

export function configDiff(configs: readonly Record<string, unknown>[]): DiffRow[] {
  const keys = new Set<string>();
  for (const c of configs) for (const k of Object.keys(c)) keys.add(k);
  const rows: DiffRow[] = [];
  for (const key of [...keys].sort()) {
    const values = configs.map((c) => (Object.prototype.hasOwnProperty.call(c, key) ? c[key] : undefined));
    const first = stableStringify(values[0]);
    rows.push({ key, values, differs: values.some((v) => stableStringify(v) !== first) });
  }
  return rows;
}
