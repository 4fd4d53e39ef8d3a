/** A torch.save checkpoint to safetensors: the state dict only, floats as F32, integers as I32. */
import { writeSafetensors, type TensorToWrite } from './safetensors';
import { readTorchCheckpoint } from './torch-checkpoint';

export interface ConvertResult {
  tensors: number;
  floats: number;
  ints: number;
  /** Top-level entries left out (optimizer, ...). */
  ignored: string[];
}

export async function convertToSafetensors(input: string, output: string): Promise<ConvertResult> {
  const { tensors, metadata, info } = await readTorchCheckpoint(input);
  const out: TensorToWrite[] = [];
  let floats = 0;
  for (const [name, t] of tensors) {
    if (t.data instanceof Float32Array) floats++;
    out.push({ name, shape: t.shape, data: t.data });
  }
  await writeSafetensors(output, out, { ...metadata, format: 'pt', converted_from: input.split(/[\\/]/).pop() ?? input });
  return { tensors: out.length, floats, ints: out.length - floats, ignored: info.ignored };
}
