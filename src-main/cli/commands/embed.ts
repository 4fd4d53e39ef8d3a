import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import type { Command } from '../command';
import { parseArgs, formatFlagHelp, str, type FlagSpec, UsageError } from '../args';
import { WorkbenchError } from '../../../src-shared/errors';
import { HOME_FLAG } from '../context';
import { resolveDataDir } from '../../paths';
import { initBackend, parseBackendPreference } from '../../../src-worker/backend/select';
import { loadModelForEval } from '../../../src-worker/eval/load-model';
import { modelEncoder } from '../../../src-worker/eval/model-encoder';
import { transformImageInto } from '../../../src-worker/data';

const FLAGS: FlagSpec[] = [
  { name: 'checkpoint', type: 'string', required: true, help: 'Checkpoint (.json sidecar, .safetensors or PyTorch .pt), a model folder, or a pulled model\'s name (org/name, openai)' },
  { name: 'image', type: 'string', repeat: true, help: 'An image file (repeatable)' },
  { name: 'text', type: 'string', repeat: true, help: 'A text (repeatable)' },
  { name: 'model', type: 'string', help: 'Model config, for weights without a sidecar' },
  { name: 'vocab', type: 'string', help: 'Tokenizer files, for weights without a sidecar' },
  { name: 'backend', type: 'string', help: 'auto, tensorflow, wasm or cpu', default: 'auto' },
  HOME_FLAG,
];

export const embedCommand: Command = {
  name: 'embed',
  summary: 'Print normalised embeddings as JSON',
  usage: `usage: clipwb embed --checkpoint PATH --image a.png --text "a photo of a bag"\n\nPrints {"model", "images": [{file, embedding}], "texts": [{text, embedding}], "similarity"} with\nL2-normalised embeddings (eval transform for images) and the image x text cosine similarities.\n\n${formatFlagHelp(FLAGS)}`,
  async run(argv) {
    const { flags } = parseArgs(argv, FLAGS, 'embed');
    const images = (flags.image as string[] | undefined) ?? [];
    const texts = (flags.text as string[] | undefined) ?? [];
    if (images.length === 0 && texts.length === 0) throw new UsageError('embed: give at least one --image or --text');
    for (const f of images) if (!fs.existsSync(f)) throw new WorkbenchError(`embed: --image ${f} does not exist`, { kind: 'not-found', field: 'image' });
    await initBackend(parseBackendPreference(str(flags.backend)));
    const dataDir = resolveDataDir({ flag: str(flags.home) });
    const { model: ckpt, cfg, tokenizer, params, dispose } = await loadModelForEval({ checkpoint: str(flags.checkpoint)!, dataDir, model: str(flags.model) ?? null, vocab: str(flags.vocab) ?? null });
    for (const note of ckpt.notes) if (process.env.CLIPWB_DEBUG) console.error(`debug: ${ckpt.label}: ${note}`);
    const encoder = modelEncoder(params, cfg);
    const size = cfg.vision.imageSize;
    const d = cfg.embedDim;
    const rows = (flat: Float32Array, n: number) => Array.from({ length: n }, (_, i) => Array.from(flat.subarray(i * d, (i + 1) * d), (v) => Number(v.toFixed(7))));
    let imageEmb: number[][] = [];
    let textEmb: number[][] = [];
    if (images.length > 0) {
      const pixels = new Float32Array(images.length * size * size * 3);
      for (const [i, f] of images.entries()) {
        try {
          await transformImageInto(fs.readFileSync(f), { size, augment: false }, undefined, pixels, i * size * size * 3);
        } catch (err) {
          throw new WorkbenchError(`embed: --image ${f} is not an image that can be read (${(err as Error).message})`, { kind: 'invalid', field: 'image', fix: 'Give a JPEG, PNG, WebP, GIF or TIFF file' });
        }
      }
      imageEmb = rows(await encoder.encodeImages(pixels, images.length), images.length);
    }
    if (texts.length > 0) textEmb = rows(await encoder.encodeTexts(tokenizer.encode(texts, cfg.text.contextLength), texts.length), texts.length);
    const similarity = imageEmb.map((a) => textEmb.map((b) => Number(a.reduce((s, v, k) => s + v * b[k]!, 0).toFixed(6))));
    console.log(JSON.stringify({
      model: cfg.name, backend: tf.getBackend(), dim: d,
      images: images.map((file, i) => ({ file, embedding: imageEmb[i] })),
      texts: texts.map((text, i) => ({ text, embedding: textEmb[i] })),
      similarity,
    }));
    dispose();
    return 0;
  },
};
