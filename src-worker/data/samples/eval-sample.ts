/**
 * Reading evaluation samples (layouts in ../EVAL-LAYOUT.md):
 * - classification (CLIP_benchmark webdataset): an image (webp, png, jpg or jpeg) and `cls`, the class
 *   index as decimal text;
 * - retrieval (ours): an image and its captions, from `txt` (one caption per line), else
 *   `captions.json`, else `json` (a JSON list of strings, or an object with a `captions` list).
 */
import type { RawSample } from './shard-samples';

export const EVAL_IMAGE_EXTENSIONS = ['webp', 'png', 'jpg', 'jpeg'] as const;
export const EVAL_EXTENSIONS = new Set<string>([...EVAL_IMAGE_EXTENSIONS, 'cls', 'txt', 'captions.json', 'json']);
/** Members small enough to read during a folder scan (everything but images). */
export const EVAL_TEXT_EXTENSIONS = new Set<string>(['cls', 'txt', 'captions.json', 'json']);

export function pickEvalImage(members: Map<string, Buffer>): Buffer | undefined {
  for (const ext of EVAL_IMAGE_EXTENSIONS) {
    const data = members.get(ext);
    if (data) return data;
  }
  return undefined;
}

export function hasEvalImage(extensions: Iterable<string>): boolean {
  for (const ext of extensions) if ((EVAL_IMAGE_EXTENSIONS as readonly string[]).includes(ext)) return true;
  return false;
}

/** The class index, or an explanation of why there is none. */
export function parseLabel(members: Map<string, Buffer>, numClasses: number): { label: number } | { problem: string } {
  const cls = members.get('cls');
  if (!cls) return { problem: 'no .cls member' };
  const text = cls.toString('utf8').trim();
  if (!/^\d+$/.test(text)) return { problem: `.cls is "${text.slice(0, 40)}", not a class index` };
  const label = Number.parseInt(text, 10);
  if (label >= numClasses) return { problem: `label ${label} is out of range: classnames.txt lists ${numClasses} classes (0..${numClasses - 1})` };
  return { label };
}

export function parseCaptions(members: Map<string, Buffer>): { captions: string[] } | { problem: string } {
  const txt = members.get('txt');
  if (txt) {
    const captions = txt
      .toString('utf8')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l.length > 0);
    return captions.length > 0 ? { captions } : { problem: '.txt holds no caption' };
  }
  const json = members.get('captions.json') ?? members.get('json');
  if (!json) return { problem: 'no .txt, .captions.json or .json member with captions' };
  let value: unknown;
  try {
    value = JSON.parse(json.toString('utf8'));
  } catch (err) {
    return { problem: `captions JSON does not parse: ${(err as Error).message}` };
  }
  const list = Array.isArray(value) ? value : typeof value === 'object' && value !== null ? (value as { captions?: unknown }).captions : undefined;
  if (!Array.isArray(list) || list.length === 0 || !list.every((c) => typeof c === 'string')) {
    return { problem: 'captions JSON must be a non-empty list of strings (or an object with such a "captions" list)' };
  }
  return { captions: list as string[] };
}

export interface EvalSampleCheck {
  image?: Buffer;
  label?: number;
  captions?: string[];
  problem?: string;
}

export function checkEvalSample(raw: RawSample, mode: 'classification' | 'retrieval', numClasses: number): EvalSampleCheck {
  const image = pickEvalImage(raw.members);
  if (!image) return { problem: 'no image member (webp, png, jpg or jpeg)' };
  if (mode === 'classification') {
    const parsed = parseLabel(raw.members, numClasses);
    return 'label' in parsed ? { image, label: parsed.label } : { problem: parsed.problem };
  }
  const parsed = parseCaptions(raw.members);
  return 'captions' in parsed ? { image, captions: parsed.captions } : { problem: parsed.problem };
}
