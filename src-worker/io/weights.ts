/**
 * One entry point for weight files, whatever their format: safetensors, or a PyTorch `torch.save` zip
 * checkpoint (.pt/.pth/.bin/.ckpt). The format is told by the file's first bytes, not its name.
 * Tensor names come back as stored, except that a .pt state dict's DDP `module.` prefix is removed.
 */
import { readSafetensors, readSafetensorsHeader, type SafetensorsContents, type SafetensorsDtype } from './safetensors';
import { legacyFormatError, readTorchCheckpoint, readTorchCheckpointInfo, sniffWeightsFormat, TorchCheckpointError } from './torch-checkpoint';

export interface WeightsEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
}

export interface WeightsHeader {
  format: 'safetensors' | 'torch';
  entries: WeightsEntry[];
  metadata: Record<string, string>;
  /** What a .pt held beside the state dict and was ignored (optimizer, ...). */
  ignored: string[];
}

/** File names that may hold a torch.save checkpoint. */
export const TORCH_FILE = /\.(pt|pth|bin|ckpt)$/i;

function formatOf(file: string): 'safetensors' | 'torch' {
  const f = sniffWeightsFormat(file);
  if (f === 'torch-zip') return 'torch';
  if (f === 'safetensors') return 'safetensors';
  if (f === 'torch-legacy') throw legacyFormatError(file);
  if (f === 'pickle') {
    throw new TorchCheckpointError(`${file} is a bare pickle, not a torch.save zip archive; save it again with torch.save (PyTorch >= 1.6) or convert it to safetensors`);
  }
  // Unknown first bytes: let the safetensors reader say what is wrong with it.
  return TORCH_FILE.test(file) ? 'torch' : 'safetensors';
}

export async function readWeightsHeader(file: string): Promise<WeightsHeader> {
  if (formatOf(file) === 'torch') {
    const info = await readTorchCheckpointInfo(file);
    return { format: 'torch', entries: info.entries, metadata: info.metadata, ignored: info.ignored };
  }
  const h = await readSafetensorsHeader(file);
  return { format: 'safetensors', entries: h.entries.map((e) => ({ name: e.name, dtype: e.dtype, shape: e.shape })), metadata: h.metadata, ignored: [] };
}

/** Reads the tensors (all, or those named) as float32 or int32 host arrays. */
export async function readWeights(file: string, options: { names?: readonly string[] } = {}): Promise<SafetensorsContents> {
  if (formatOf(file) === 'torch') {
    const { tensors, metadata } = await readTorchCheckpoint(file, options);
    return { tensors, metadata };
  }
  return readSafetensors(file, options);
}

/** True when the file is a torch.save zip checkpoint (by content). */
export function isTorchCheckpoint(file: string): boolean {
  try {
    return sniffWeightsFormat(file) === 'torch-zip';
  } catch {
    return false;
  }
}
