/**
 * The geometry of CLIP's image transforms, as torchvision computes it (docs/design/algorithms.md#image-transforms):
 * - train: RandomResizedCrop(scale (0.9, 1.0), ratio (3/4, 4/3)): up to 10 tries of a random area and
 *   log-uniform aspect ratio that fits, else the central crop clamped to the ratio range;
 * - eval: Resize(size) on the shortest side (long side truncated), then a centred square crop.
 * Python's round() rounds half to even; so do we, so that crop boxes match torchvision's.
 */
import type { Rng } from '../rng';

export interface CropBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface RandomCropOptions {
  scale?: readonly [number, number];
  ratio?: readonly [number, number];
}

export const DEFAULT_CROP_SCALE = [0.9, 1.0] as const;
export const DEFAULT_CROP_RATIO = [3 / 4, 4 / 3] as const;

export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

export function randomResizedCropBox(width: number, height: number, rng: Rng, options: RandomCropOptions = {}): CropBox & { fallback: boolean } {
  const [scaleLo, scaleHi] = options.scale ?? DEFAULT_CROP_SCALE;
  const [ratioLo, ratioHi] = options.ratio ?? DEFAULT_CROP_RATIO;
  const area = width * height;
  const logLo = Math.log(ratioLo);
  const logHi = Math.log(ratioHi);
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * rng.uniform(scaleLo, scaleHi);
    const aspect = Math.exp(rng.uniform(logLo, logHi));
    const w = Math.trunc(roundHalfEven(Math.sqrt(targetArea * aspect)));
    const h = Math.trunc(roundHalfEven(Math.sqrt(targetArea / aspect)));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const top = rng.int(0, height - h);
      const left = rng.int(0, width - w);
      return { left, top, width: w, height: h, fallback: false };
    }
  }
  const inRatio = width / height;
  let w: number;
  let h: number;
  if (inRatio < ratioLo) {
    w = width;
    h = Math.trunc(roundHalfEven(w / ratioLo));
  } else if (inRatio > ratioHi) {
    h = height;
    w = Math.trunc(roundHalfEven(h * ratioHi));
  } else {
    w = width;
    h = height;
  }
  return { left: Math.floor((width - w) / 2), top: Math.floor((height - h) / 2), width: w, height: h, fallback: true };
}

export interface EvalGeometry {
  /** Size after the shortest-side resize. */
  resizeWidth: number;
  resizeHeight: number;
  /** The centred size x size crop inside the resized image. */
  crop: CropBox;
}

export function evalGeometry(width: number, height: number, size: number): EvalGeometry {
  const short = Math.min(width, height);
  const long = Math.max(width, height);
  const newLong = Math.trunc((size * long) / short);
  const resizeWidth = width <= height ? size : newLong;
  const resizeHeight = width <= height ? newLong : size;
  const crop: CropBox = {
    left: Math.trunc(roundHalfEven((resizeWidth - size) / 2)),
    top: Math.trunc(roundHalfEven((resizeHeight - size) / 2)),
    width: size,
    height: size,
  };
  return { resizeWidth, resizeHeight, crop };
}
