import fs from 'node:fs';
import path from 'node:path';
import type { Command } from '../command';
import { parseArgs, formatFlagHelp, str, UsageError, type FlagSpec } from '../args';
import { convertToSafetensors } from '../../../src-worker/io/convert';

const FLAGS: FlagSpec[] = [
  { name: 'out', type: 'string', help: 'The .safetensors file to write (default: beside the input, same name)' },
  { name: 'force', type: 'bool', help: 'Overwrite --out if it exists' },
];

export const convertCommand: Command = {
  name: 'convert',
  summary: 'Convert a PyTorch .pt checkpoint to safetensors',
  usage: `usage: clipwb convert MODEL.pt [--out MODEL.safetensors] [--force]

Reads a torch.save checkpoint (an open_clip training checkpoint, a state dict, a .bin of the hub)
without running Python or any code in the file, and writes its state dict as safetensors: float
tensors as F32, integer tensors as I32, DDP's module. prefix removed, the optimizer state left out.
Scalar entries beside the state dict (epoch, name) become safetensors metadata.

${formatFlagHelp(FLAGS)}`,
  async run(argv) {
    const { flags, positionals } = parseArgs(argv, FLAGS, 'convert');
    const input = positionals[0];
    if (!input) throw new UsageError('convert: give the .pt file, e.g. clipwb convert epoch_30.pt');
    if (!fs.existsSync(input)) throw new UsageError(`convert: ${input} does not exist`);
    const out = path.resolve(str(flags.out) ?? input.replace(/\.(pt|pth|bin|ckpt)$/i, '') + '.safetensors');
    if (path.resolve(input) === out) throw new UsageError('convert: --out must differ from the input');
    if (fs.existsSync(out) && !flags.force) throw new UsageError(`convert: ${out} exists; pass --force to overwrite it`);
    const r = await convertToSafetensors(input, out);
    console.log(`${out}: ${r.tensors} tensors (${r.floats} float -> F32, ${r.ints} integer -> I32)${r.ignored.length > 0 ? `; left out: ${r.ignored.join(', ')}` : ''}`);
    return 0;
  },
};
