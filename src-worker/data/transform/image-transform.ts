/**
 * Decodes one encoded image with sharp and writes it, transformed and normalised, into a batch:
 * Float32 NHWC, 3 channels (grayscale replicated, alpha dropped as PIL's convert('RGB') does),
 * (x/255 - mean)/std with OpenAI's mean and std. EXIF orientation is ignored, as PIL ignores it.
 * Resampling is bicubic (sharp's 'cubic' is Catmull-Rom, PIL's bicubic a = -0.5).
 */
import sharp, { type Sharp } from 'sharp';
import type { Rng } from '../rng';
import { evalGeometry, randomResizedCropBox, type RandomCropOptions } from './crop-geometry';

export const OPENAI_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const OPENAI_STD = [0.26862954, 0.26130258, 0.27577711] as const;

export interface TransformSpec {
  size: number;
  /** True: RandomResizedCrop (train). False: shortest-side resize + centre crop (eval, --no-augment). */
  augment: boolean;
  crop?: RandomCropOptions;
}

/** value → normalised float, per channel; a table lookup beats the arithmetic per pixel. */
const NORMALISE_LUT: Float32Array[] = [0, 1, 2].map((c) => {
  const lut = new Float32Array(256);
  const mean = OPENAI_MEAN[c] as number;
  const std = OPENAI_STD[c] as number;
  for (let v = 0; v < 256; v++) lut[v] = (v / 255 - mean) / std;
  return lut;
});

export function normaliseInto(pixels: Uint8Array, channels: number, count: number, out: Float32Array, offset: number): void {
  const [r, g, b] = NORMALISE_LUT as [Float32Array, Float32Array, Float32Array];
  let o = offset;
  if (channels >= 3) {
    for (let p = 0, i = 0; p < count; p++, i += channels) {
      out[o++] = r[pixels[i] as number] as number;
      out[o++] = g[pixels[i + 1] as number] as number;
      out[o++] = b[pixels[i + 2] as number] as number;
    }
  } else {
    for (let p = 0, i = 0; p < count; p++, i += channels) {
      const v = pixels[i] as number;
      out[o++] = r[v] as number;
      out[o++] = g[v] as number;
      out[o++] = b[v] as number;
    }
  }
}

export interface TransformedPixels {
  /** size*size*channels bytes, interleaved. */
  data: Buffer;
  channels: number;
}

/**
 * Decodes and crops/resizes one image to size x size 8-bit pixels. `rng` drives the random crop
 * (unused for eval). Throws when the bytes are not a decodable image.
 */
export async function decodeTransformed(bytes: Uint8Array, spec: TransformSpec, rng: Rng | undefined): Promise<TransformedPixels> {
  const meta = await sharp(bytes).metadata();
  const width = meta.width;
  const height = meta.height;
  if (!width || !height) throw new Error('image has no dimensions');
  const size = spec.size;
  let pipeline: Sharp;
  if (meta.hasAlpha) {
    // libvips resizes premultiplied; PIL's convert('RGB') drops alpha before any resampling. Decoding
    // to opaque RGB first keeps pixel values identical to that (costs one more pass; alpha is rare).
    const flat = await sharp(bytes).removeAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    pipeline = sharp(flat.data, { raw: { width: flat.info.width, height: flat.info.height, channels: flat.info.channels } });
  } else {
    pipeline = sharp(bytes, { sequentialRead: true });
  }
  if (spec.augment) {
    if (!rng) throw new Error('transformImageInto: the train transform needs an Rng');
    const box = randomResizedCropBox(width, height, rng, spec.crop);
    pipeline = pipeline
      .extract({ left: box.left, top: box.top, width: box.width, height: box.height })
      .resize(size, size, { fit: 'fill', kernel: 'cubic' });
  } else {
    const geo = evalGeometry(width, height, size);
    // No JPEG shrink-on-load: it decodes at 1/2, 1/4 or 1/8 scale first, which PIL does not do.
    pipeline = pipeline.resize(geo.resizeWidth, geo.resizeHeight, { fit: 'fill', kernel: 'cubic', fastShrinkOnLoad: false }).extract(geo.crop);
  }
  const { data, info } = await pipeline.toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  if (info.width !== size || info.height !== size) throw new Error(`transform produced ${info.width}x${info.height}, expected ${size}x${size}`);
  return { data, channels: info.channels };
}

/** Writes size*size*3 normalised floats at `out[offset]`. */
export async function transformImageInto(bytes: Uint8Array, spec: TransformSpec, rng: Rng | undefined, out: Float32Array, offset: number): Promise<void> {
  const pixels = await decodeTransformed(bytes, spec, rng);
  normaliseInto(pixels.data, pixels.channels, spec.size * spec.size, out, offset);
}
