/**
 * Host-side weights by open_clip name (PyTorch layouts), checked against a config's parameter list, and
 * their safetensors files. This is the format checkpoints and teacher weights move in.
 */
import { writeSafetensors, type TensorToWrite } from '../io/safetensors';
import { type StateDict } from '../io/state-dict-file';
import { sizeOfShape, type ParamSpec } from './param-spec';
import { WorkbenchError, type WorkbenchErrorOptions } from '../../src-shared/errors';

// Host-side tensors and their file reading live with the other file formats (io/), which must not import model/.
export { loadStateDictFile, stripModulePrefix, type HostTensor, type StateDict } from '../io/state-dict-file';

export class StateDictError extends WorkbenchError {
  override name = 'StateDictError';
  constructor(message: string, options: WorkbenchErrorOptions = {}) {
    super(message, { kind: 'invalid', ...options });
  }
}

export interface StateDictMatch {
  /** Names present with the expected shape. */
  matched: string[];
  /** Names the config needs that the state dict lacks. */
  missing: string[];
  /** Names in the state dict that the config does not have. */
  unexpected: string[];
  /** Names present in both with different shapes. */
  mismatched: { name: string; expected: number[]; given: number[] }[];
}

export function matchStateDict(specs: readonly ParamSpec[], sd: StateDict): StateDictMatch {
  const out: StateDictMatch = { matched: [], missing: [], unexpected: [], mismatched: [] };
  const wanted = new Set<string>();
  for (const s of specs) {
    wanted.add(s.name);
    const t = sd.get(s.name);
    if (!t) { out.missing.push(s.name); continue; }
    const sameShape = t.shape.length === s.shape.length && t.shape.every((d, i) => d === s.shape[i]);
    if (sameShape) out.matched.push(s.name);
    else out.mismatched.push({ name: s.name, expected: [...s.shape], given: [...t.shape] });
  }
  for (const k of sd.keys()) if (!wanted.has(k)) out.unexpected.push(k);
  return out;
}

const fmt = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

function listNames(names: readonly string[], max = 12): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown}, ... (${names.length} in all)` : shown;
}

/** Throws unless every parameter is present with its shape and nothing else is there. */
export function assertStateDictMatches(specs: readonly ParamSpec[], sd: StateDict, source: string): void {
  const m = matchStateDict(specs, sd);
  const problems: string[] = [];
  for (const x of m.mismatched) problems.push(`tensor ${x.name}: expected shape ${fmt(x.expected)}, given ${fmt(x.given)}`);
  if (m.missing.length > 0) problems.push(`missing tensors: ${listNames(m.missing)}`);
  if (m.unexpected.length > 0) problems.push(`unexpected tensors: ${listNames(m.unexpected)}`);
  for (const [name, t] of sd) {
    if (t.data.length !== sizeOfShape(t.shape)) problems.push(`tensor ${name}: ${t.data.length} values for shape ${fmt(t.shape)}`);
  }
  if (problems.length > 0) {
    throw new StateDictError(`${source} does not fit this model config:\n  ${problems.join('\n  ')}\n  (is it a checkpoint of another model config?)`);
  }
}

/** Writes the state dict as safetensors (F32, open_clip names), streaming tensor by tensor. */
export async function saveStateDict(file: string, sd: StateDict, metadata: Record<string, string> = {}): Promise<void> {
  const tensors: TensorToWrite[] = [...sd].map(([name, t]) => ({ name, shape: t.shape, data: t.data }));
  await writeSafetensors(file, tensors, metadata);
}


