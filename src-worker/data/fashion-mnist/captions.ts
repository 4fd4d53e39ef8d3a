/**
 * Class names and caption templates of the built-in Fashion-MNIST image-caption dataset.
 * Training captions vary among ten templates (chosen per sample with a fixed seed); the zero-shot
 * templates written for evaluation use "the {c}" forms only, because the CLIP_benchmark template
 * format has no article placeholder.
 */
import { mixSeed, Rng } from '../rng';

/** Fashion-MNIST's class order; names in the lower-case form used in captions. */
export const FASHION_MNIST_CLASSNAMES = ['t-shirt', 'pair of trousers', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot'] as const;

/** `{a}` is the indefinite article matching the class name. */
export const TRAIN_CAPTION_TEMPLATES = [
  'a photo of {a} {c}.',
  'a black and white photo of the {c}.',
  'a low resolution photo of {a} {c}.',
  'a grayscale photo of {a} {c}.',
  'a small photo of the {c}.',
  'a close-up photo of {a} {c}.',
  'a product photo of {a} {c}.',
  'an image of {a} {c}.',
  'a blurry photo of the {c}.',
  'a picture of {a} {c}.',
] as const;

export const ZERO_SHOT_TEMPLATES = [
  'a photo of the {c}.',
  'a black and white photo of the {c}.',
  'a low resolution photo of the {c}.',
  'a grayscale photo of the {c}.',
  'a close-up photo of the {c}.',
  'a product photo of the {c}.',
  'a blurry photo of the {c}.',
  'a picture of the {c}.',
] as const;

const CAPTION_SEED_TAG = 0xfa5c;

function article(name: string): string {
  return /^[aeiou]/.test(name) ? 'an' : 'a';
}

/** The caption of the training sample with this key (depends only on key and class). */
export function captionFor(key: number, classIndex: number): string {
  const name = FASHION_MNIST_CLASSNAMES[classIndex];
  if (name === undefined) throw new Error(`class index ${classIndex} is not a Fashion-MNIST class`);
  const rng = new Rng(mixSeed(CAPTION_SEED_TAG, key));
  const template = TRAIN_CAPTION_TEMPLATES[rng.int(0, TRAIN_CAPTION_TEMPLATES.length - 1)] as string;
  return template.replace('{a}', article(name)).replace('{c}', name);
}
