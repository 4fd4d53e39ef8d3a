/**
 * Host-side weights by open_clip name (PyTorch layouts) as read from a weights file: the plain shape +
 * Float32Array form that checkpoints and teacher weights move in. Here in io/ (not model/) so that the
 * checkpoint format can read them without importing the model.
 */
import { readWeights } from './weights';

export interface HostTensor {
  shape: number[];
  data: Float32Array;
}

/** open_clip name → values; insertion order is kept when saving. */
export type StateDict = Map<string, HostTensor>;

const DDP_PREFIX = 'module.';

/** Drops the `module.` prefix DistributedDataParallel adds to every name (open_clip's loader does too). */
export function stripModulePrefix(sd: StateDict): StateDict {
  let all = sd.size > 0;
  for (const k of sd.keys()) if (!k.startsWith(DDP_PREFIX)) { all = false; break; }
  if (!all) return sd;
  const out: StateDict = new Map();
  for (const [k, v] of sd) out.set(k.slice(DDP_PREFIX.length), v);
  return out;
}

/**
 * Reads every tensor of a safetensors file or a torch.save .pt checkpoint as float32 (F16/BF16
 * converted), `module.` prefixes stripped. Integer tensors (position_ids, counters) are not weights:
 * they are left out and listed in `skipped`, so a model that needs one reports it as missing.
 */
export async function loadStateDictFile(file: string): Promise<{ stateDict: StateDict; metadata: Record<string, string>; skipped: string[] }> {
  const { tensors, metadata } = await readWeights(file);
  const sd: StateDict = new Map();
  const skipped: string[] = [];
  for (const [name, t] of tensors) {
    if (!(t.data instanceof Float32Array)) {
      skipped.push(`${name} (${t.sourceDtype})`);
      continue;
    }
    sd.set(name, { shape: t.shape, data: t.data });
  }
  return { stateDict: stripModulePrefix(sd), metadata, skipped };
}
