/**
 * Field-level helpers for nvidia-smi's `--format=csv,noheader,nounits` output.
 *
 * nvidia-smi writes a value it cannot read as `[N/A]`, `[Not Supported]`, `[Unknown Error]`,
 * `[GPU is lost]` or a bare `N/A`. Those become null, never 0: an idle GPU at 0 % and a GPU whose
 * utilisation is unknown must look different in the UI.
 */

/** Splits one CSV row. nvidia-smi does not quote, so a comma inside a free-text column is rejoined by the caller. */
export function splitSmiRow(line: string): string[] {
  return line.split(',').map((part) => part.trim());
}

export function isUnavailable(field: string): boolean {
  const f = field.trim();
  return f === '' || f === 'N/A' || /^\[.*\]$/.test(f);
}

// Accepts an optional unit so output produced without `nounits` still parses.
const NUMBER_WITH_UNIT = /^(-?\d+(?:\.\d+)?)\s*(?:%|MiB|MB|GiB|W|C|MHz)?$/;

/** A number, or null when the field is unavailable; undefined when the field is not a number at all. */
export function parseSmiNumber(field: string): number | null | undefined {
  if (isUnavailable(field)) return null;
  const m = NUMBER_WITH_UNIT.exec(field.trim());
  if (!m || m[1] === undefined) return undefined;
  const n = Number(m[1]);
  return Number.isFinite(n) ? n : undefined;
}

export function parseSmiText(field: string): string | null {
  return isUnavailable(field) ? null : field.trim();
}

/**
 * Maps a row onto named columns. When the row has more parts than columns, the extra parts are
 * folded back into `freeTextColumn` (a GPU name may contain a comma).
 */
export function rowToColumns<const K extends string>(
  line: string,
  columns: readonly K[],
  freeTextColumn: K,
): Record<K, string> | null {
  const parts = splitSmiRow(line);
  if (parts.length < columns.length) return null;
  const extra = parts.length - columns.length;
  const at = columns.indexOf(freeTextColumn);
  const merged =
    extra === 0 ? parts : [...parts.slice(0, at), parts.slice(at, at + extra + 1).join(', '), ...parts.slice(at + extra + 1)];
  const out = {} as Record<K, string>;
  columns.forEach((col, i) => {
    out[col] = merged[i] ?? '';
  });
  return out;
}
