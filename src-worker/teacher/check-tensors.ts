/**
 * The teacher file's tensor list against what the architecture needs, from the safetensors header alone:
 * a wrong file fails in milliseconds, before 600 MB are read.
 */
import type { WeightsEntry } from '../io/weights';

export interface ExpectedTensor {
  name: string;
  shape: readonly number[];
}

const FLOAT_DTYPES = new Set(['F32', 'F16', 'BF16']);
const fmt = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

function some(names: readonly string[], max = 8): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown}, ... (${names.length} in all)` : shown;
}

/**
 * Problems, one line each: tensors missing, of the wrong shape (name, expected, got), not floating point,
 * or not part of the model. `names` maps each header entry to its logical name (prefix stripped) or to
 * null for buffers to ignore.
 */
export function tensorListProblems(entries: readonly WeightsEntry[], logicalName: (name: string) => string | null, expected: readonly ExpectedTensor[]): string[] {
  const present = new Map<string, WeightsEntry>();
  const unexpected: string[] = [];
  const wanted = new Set(expected.map((e) => e.name));
  for (const e of entries) {
    const name = logicalName(e.name);
    if (name === null) continue;
    if (wanted.has(name)) present.set(name, e);
    else unexpected.push(e.name);
  }
  const problems: string[] = [];
  const missing = expected.filter((e) => !present.has(e.name)).map((e) => e.name);
  if (missing.length > 0) problems.push(`missing ${missing.length} of ${expected.length} tensors: ${some(missing)}`);
  const shapes: string[] = [];
  for (const e of expected) {
    const got = present.get(e.name);
    if (!got) continue;
    if (got.shape.length !== e.shape.length || got.shape.some((d, i) => d !== e.shape[i])) {
      shapes.push(`tensor ${got.name}: expected shape ${fmt(e.shape)}, got ${fmt(got.shape)}`);
    } else if (!FLOAT_DTYPES.has(got.dtype)) {
      shapes.push(`tensor ${got.name} is ${got.dtype}; weights must be F32, F16 or BF16`);
    }
  }
  problems.push(...shapes.slice(0, 12));
  if (shapes.length > 12) problems.push(`... and ${shapes.length - 12} more tensors of the wrong shape or type`);
  if (unexpected.length > 0) problems.push(`${unexpected.length} tensors that are not part of this model: ${some(unexpected)}`);
  return problems;
}
