/**
 * Zero-shot classifier weights by template ensemble (CLIP_benchmark's zero_shot_classifier): each class
 * name fills every template, each prompt is encoded and L2-normalised, the prompts of a class are
 * averaged and the mean re-normalised. The result is W [embedDim, numClasses], row-major.
 */
import { forEachTextChunk, DEFAULT_TEXT_BATCH_SIZE } from './text-chunks';
import type { ClipEncoder, TextTokenizer } from './types';

export interface ClassifierOptions {
  textBatchSize?: number;
  /** Prompts encoded so far, out of classes x templates. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export function fillTemplate(template: string, classname: string): string {
  // split/join rather than String.replace: class names may contain `$&` and the like.
  return template.split('{c}').join(classname);
}

export function checkClassPrompts(classnames: readonly string[], templates: readonly string[], origin: string): void {
  if (classnames.length === 0) throw new Error(`${origin}: the class names list is empty (classnames.txt: one class per line)`);
  if (templates.length === 0) throw new Error(`${origin}: the templates list is empty (zeroshot_classification_templates.txt: one template per line)`);
  const bad = templates.find((t) => !t.includes('{c}'));
  if (bad !== undefined) throw new Error(`${origin}: template "${bad}" has no {c} placeholder for the class name`);
}

export async function buildZeroShotClassifier(
  encoder: ClipEncoder,
  tokenizer: TextTokenizer,
  classnames: readonly string[],
  templates: readonly string[],
  options: ClassifierOptions = {},
): Promise<Float32Array> {
  checkClassPrompts(classnames, templates, 'zero-shot classifier');
  const C = classnames.length;
  const T = templates.length;
  const d = encoder.embedDim;
  const prompts: string[] = [];
  for (const name of classnames) for (const t of templates) prompts.push(fillTemplate(t, name));

  const sums = new Float64Array(C * d);
  await forEachTextChunk(
    encoder,
    tokenizer,
    prompts,
    options.textBatchSize ?? DEFAULT_TEXT_BATCH_SIZE,
    (emb, start, count) => {
      for (let i = 0; i < count; i++) {
        const cls = Math.floor((start + i) / T);
        for (let j = 0; j < d; j++) sums[cls * d + j] = sums[cls * d + j]! + emb[i * d + j]!;
      }
      options.onProgress?.(start + count, prompts.length);
    },
    options.signal,
  );

  const weights = new Float32Array(d * C);
  for (let c = 0; c < C; c++) {
    let sq = 0;
    for (let j = 0; j < d; j++) {
      const mean = sums[c * d + j]! / T;
      sums[c * d + j] = mean;
      sq += mean * mean;
    }
    const inv = sq > 0 ? 1 / Math.sqrt(sq) : 0;
    for (let j = 0; j < d; j++) weights[j * C + c] = sums[c * d + j]! * inv;
  }
  return weights;
}
