/**
 * Checks a raw webdataset sample for what training needs: an image (jpg, png, jpeg or webp, in that
 * order of preference, as open_clip's "jpg;png;jpeg;webp"), a caption (txt) and a metadata JSON whose
 * `key` is the global sample index (a string of digits or a non-negative integer) below dataSize.
 */
import type { DefectKind } from '../stats';
import type { RawSample } from './shard-samples';

export const IMAGE_EXTENSIONS = ['jpg', 'png', 'jpeg', 'webp'] as const;
export const TRAIN_EXTENSIONS = new Set<string>([...IMAGE_EXTENSIONS, 'txt', 'json']);

export interface TrainSample {
  /** Global sample index from the JSON `key`. */
  key: number;
  caption: string;
  image: Buffer;
  /** Where it came from, for defect reports: "<shard> <sample name>". */
  origin: string;
}

export type TrainSampleCheck = { ok: true; sample: TrainSample } | { ok: false; kind: DefectKind; detail: string };

export function pickImage(members: Map<string, Buffer>): Buffer | undefined {
  for (const ext of IMAGE_EXTENSIONS) {
    const data = members.get(ext);
    if (data) return data;
  }
  return undefined;
}

/** Parses the webdataset JSON `key` field; undefined when absent or not a non-negative integer. */
export function parseSampleKey(json: Buffer): number | undefined {
  let meta: unknown;
  try {
    meta = JSON.parse(json.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof meta !== 'object' || meta === null || !('key' in meta)) return undefined;
  const key = (meta as { key: unknown }).key;
  if (typeof key === 'number') return Number.isSafeInteger(key) && key >= 0 ? key : undefined;
  if (typeof key === 'string' && /^\d+$/.test(key.trim())) {
    const value = Number.parseInt(key.trim(), 10);
    return Number.isSafeInteger(value) ? value : undefined;
  }
  return undefined;
}

export function checkTrainSample(raw: RawSample, dataSize: number): TrainSampleCheck {
  const origin = `${raw.shard} ${raw.key}`;
  const image = pickImage(raw.members);
  if (!image) return { ok: false, kind: 'no_image', detail: origin };
  const txt = raw.members.get('txt');
  if (!txt) return { ok: false, kind: 'no_caption', detail: origin };
  const json = raw.members.get('json');
  const key = json ? parseSampleKey(json) : undefined;
  if (key === undefined) return { ok: false, kind: 'no_key', detail: `${origin}: ${json ? 'JSON without an integer "key"' : 'no .json member'}` };
  if (key >= dataSize) return { ok: false, kind: 'key_out_of_range', detail: `${origin}: key ${key} >= dataSize ${dataSize}` };
  return { ok: true, sample: { key, caption: txt.toString('utf8').trim(), image, origin } };
}
