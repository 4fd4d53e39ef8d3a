/**
 * Writes real webdataset shards and evaluation folders for tests: tar files (our writer's ustar
 * encoding) holding real images made by sharp, captions and JSON metadata, with optional defects.
 *
 * Every image is one colour (plus a faint texture) that encodes the sample's serial number, so a test
 * can tell which sample ended up in which batch row whatever the crop: `serialFromPixels` reads it
 * back from a normalised row (tolerant of JPEG rounding and the texture).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { encodeMember, type TarMemberInput } from '../../src-worker/data/tar/writer';
import { OPENAI_MEAN, OPENAI_STD } from '../../src-worker/data/transform/image-transform';

export type ImageFormat = 'jpg' | 'jpeg' | 'png' | 'webp';

/** Identifies one sample: shard index and position inside the shard. */
export interface SampleRef {
  shard: number;
  offset: number;
}

export interface ShardDefects {
  /** Corrupt the header checksum of this sample's caption member (its caption is lost). */
  corruptCaptionHeader?: SampleRef[];
  /** Corrupt the header checksum of this sample's image member (its image is lost). */
  corruptImageHeader?: SampleRef[];
  /** Replace the image bytes by bytes no decoder accepts (keeps the .jpg/.png name). */
  undecodable?: SampleRef[];
  missingCaption?: SampleRef[];
  missingJson?: SampleRef[];
  missingImage?: SampleRef[];
  /** Write JSON without a "key" field. */
  jsonWithoutKey?: SampleRef[];
  /** Write this key instead (use one >= dataSize to test skipping). */
  keyOverride?: (SampleRef & { key: number })[];
  /** Cut the shard file inside this sample's image: it and every later sample in the shard are lost. */
  truncateAt?: SampleRef[];
}

export interface MakeShardsOptions {
  shards: number;
  samplesPerShard: number;
  /** Image formats used in turn (default jpg, png, webp). */
  formats?: ImageFormat[];
  /** Every n-th sample is a 1-channel grayscale image (default 4; 0 = never). */
  grayscaleEvery?: number;
  /** Image sizes used in turn (default a few between 20 and 48 px, landscape and portrait). */
  sizes?: [number, number][];
  /** Global key of a sample (default img2dataset's shard * 10000 + offset). */
  keyOf?: (ref: SampleRef) => number;
  /** Write keys as zero-padded strings (img2dataset) rather than numbers. Default true. */
  keyAsString?: boolean;
  /** Shard file name (default 8-digit zero-padded index + .tar). */
  shardName?: (index: number) => string;
  captionOf?: (key: number) => string;
  defects?: ShardDefects;
}

export interface MadeSample extends SampleRef {
  serial: number;
  key: number;
  name: string;
  caption: string;
  format: ImageFormat;
  width: number;
  height: number;
  grayscale: boolean;
  /** False when a defect makes the loader skip it. */
  valid: boolean;
}

export interface MadeShards {
  paths: string[];
  /** A brace pattern naming all shards, e.g. "<dir>/{00000000..00000002}.tar". */
  pattern: string;
  samples: MadeSample[];
  /** Keys of the samples a loader must yield. */
  validKeys: number[];
  /** serial → sample, for serialFromPixels. */
  bySerial: Map<number, MadeSample>;
}

const DEFAULT_SIZES: [number, number][] = [
  [32, 24],
  [20, 40],
  [48, 48],
  [37, 29],
];

/** Solid colour for a serial number: 3 base-16 digits, each in the middle of its 16-value band. */
export function colourOfSerial(serial: number): [number, number, number] {
  if (serial >= 4096) throw new Error('test shards support at most 4096 samples');
  return [(serial % 16) * 16 + 8, (Math.floor(serial / 16) % 16) * 16 + 8, (Math.floor(serial / 256) % 16) * 16 + 8];
}

/** Grayscale images carry only the first digit (a test should not rely on them for identity). */
function greyOfSerial(serial: number): number {
  return (serial % 16) * 16 + 8;
}

/** Reads the serial back from the first pixel of a normalised NHWC row. */
export function serialFromPixels(images: Float32Array, row: number, imageSize: number): number {
  const base = row * imageSize * imageSize * 3;
  const digits = [0, 1, 2].map((c) => {
    const v = ((images[base + c] as number) * (OPENAI_STD[c] as number) + (OPENAI_MEAN[c] as number)) * 255;
    return Math.max(0, Math.min(15, Math.floor(v / 16)));
  }) as [number, number, number];
  return digits[0] + digits[1] * 16 + digits[2] * 256;
}

export async function makeImage(width: number, height: number, format: ImageFormat, rgb: [number, number, number], grayscale = false, texture = true): Promise<Buffer> {
  const channels = grayscale ? 1 : 3;
  const pixels = Buffer.alloc(width * height * channels);
  for (let i = 0; i < width * height; i++) {
    // A faint texture (at most ±2, well inside each colour band) makes every crop produce different
    // pixels, so tests comparing batches also compare crops.
    const t = texture ? (((i % width) * 7 + Math.floor(i / width) * 13) % 5) - 2 : 0;
    if (grayscale) pixels[i] = rgb[0] + t;
    else {
      pixels[3 * i] = rgb[0] + t;
      pixels[3 * i + 1] = rgb[1] + t;
      pixels[3 * i + 2] = rgb[2] + t;
    }
  }
  let img = sharp(pixels, { raw: { width, height, channels } });
  if (grayscale) img = img.toColourspace('b-w');
  if (format === 'png') return img.png().toBuffer();
  if (format === 'webp') return img.webp({ lossless: true }).toBuffer();
  return img.jpeg({ quality: 95, chromaSubsampling: '4:4:4' }).toBuffer();
}

const has = (list: SampleRef[] | undefined, ref: SampleRef): boolean => !!list?.some((r) => r.shard === ref.shard && r.offset === ref.offset);

/** Flips a byte inside a header's name field so its checksum no longer matches. */
function corruptHeaderAt(buffer: Buffer, headerOffset: number): void {
  buffer[headerOffset + 5] = (buffer[headerOffset + 5] as number) ^ 0x55;
}

export async function makeShards(dir: string, options: MakeShardsOptions): Promise<MadeShards> {
  mkdirSync(dir, { recursive: true });
  const formats = options.formats ?? ['jpg', 'png', 'webp'];
  const sizes = options.sizes ?? DEFAULT_SIZES;
  const grayEvery = options.grayscaleEvery ?? 4;
  const keyOf = options.keyOf ?? ((r: SampleRef) => r.shard * 10000 + r.offset);
  const keyAsString = options.keyAsString ?? true;
  const shardName = options.shardName ?? ((i: number) => `${String(i).padStart(8, '0')}.tar`);
  const captionOf = options.captionOf ?? ((k: number) => `a photo of sample ${k}.`);
  const d = options.defects ?? {};
  const samples: MadeSample[] = [];
  const paths: string[] = [];
  let serial = 0;

  for (let s = 0; s < options.shards; s++) {
    const parts: Buffer[] = [];
    let offset = 0;
    const corruptions: number[] = [];
    let truncateAtByte: number | undefined;
    let truncated = false;
    const add = (member: TarMemberInput): number => {
      const start = offset;
      for (const part of encodeMember(member)) {
        parts.push(part);
        offset += part.length;
      }
      return start;
    };
    for (let i = 0; i < options.samplesPerShard; i++) {
      const ref = { shard: s, offset: i };
      const n = serial++;
      const format = formats[n % formats.length] as ImageFormat;
      const [width, height] = sizes[n % sizes.length] as [number, number];
      const grayscale = grayEvery > 0 && n % grayEvery === grayEvery - 1 && format !== 'webp';
      const override = d.keyOverride?.find((k) => k.shard === s && k.offset === i);
      const key = override?.key ?? keyOf(ref);
      const name = String(s * 10000 + i).padStart(9, '0');
      const caption = captionOf(key);
      const rgb = colourOfSerial(n);
      const image = has(d.undecodable, ref)
        ? Buffer.from('this is not an image, whatever its extension says')
        : await makeImage(width, height, format, grayscale ? [greyOfSerial(n), 0, 0] : rgb, grayscale);
      const lostImage = has(d.missingImage, ref) || has(d.corruptImageHeader, ref) || has(d.undecodable, ref);
      const lostCaption = has(d.missingCaption, ref) || has(d.corruptCaptionHeader, ref);
      const lostKey = has(d.missingJson, ref) || has(d.jsonWithoutKey, ref);
      if (has(d.truncateAt, ref)) truncated = true;
      samples.push({ ...ref, serial: n, key, name, caption, format, width, height, grayscale, valid: !lostImage && !lostCaption && !lostKey && !truncated });
      if (!has(d.missingImage, ref)) {
        const at = add({ name: `${name}.${format}`, data: image });
        if (has(d.corruptImageHeader, ref)) corruptions.push(at);
        if (has(d.truncateAt, ref) && truncateAtByte === undefined) truncateAtByte = at + 512 + Math.floor(image.length / 2);
      }
      if (!has(d.missingCaption, ref)) {
        const at = add({ name: `${name}.txt`, data: caption });
        if (has(d.corruptCaptionHeader, ref)) corruptions.push(at);
      }
      if (!has(d.missingJson, ref)) {
        const meta = has(d.jsonWithoutKey, ref) ? { caption, status: 'success' } : { key: keyAsString ? String(key).padStart(9, '0') : key, caption, status: 'success' };
        add({ name: `${name}.json`, data: JSON.stringify(meta) });
      }
    }
    parts.push(Buffer.alloc(1024));
    let bytes = Buffer.concat(parts);
    for (const at of corruptions) corruptHeaderAt(bytes, at);
    if (truncateAtByte !== undefined) bytes = bytes.subarray(0, truncateAtByte);
    const file = path.join(dir, shardName(s));
    writeFileSync(file, bytes);
    paths.push(file);
  }
  // Samples with a key the caller will treat as >= dataSize are still "valid" here; tests filter by key.
  const last = options.shards - 1;
  const pattern = options.shards === 1 ? paths[0] ?? '' : path.join(dir, `{${shardName(0).replace(/\.tar$/, '')}..${shardName(last).replace(/\.tar$/, '')}}.tar`);
  return {
    paths,
    pattern,
    samples,
    validKeys: samples.filter((x) => x.valid).map((x) => x.key),
    bySerial: new Map(samples.map((x) => [x.serial, x])),
  };
}

export interface MakeClassificationSetOptions {
  classnames: string[];
  templates?: string[];
  shards: number;
  samplesPerShard: number;
  /** Label of the n-th sample overall (default n % classes). */
  labelOf?: (serial: number) => number;
  formats?: ImageFormat[];
  /** Overrides what nshards.txt says (to test the mismatch error). */
  nshardsText?: string;
  omitClassnames?: boolean;
  omitTemplates?: boolean;
}

export interface MadeEvalSet {
  dir: string;
  count: number;
  /** Per sample in file order: its key and its label or captions. */
  samples: { key: string; serial: number; label?: number; captions?: string[] }[];
}

export async function makeClassificationSet(dir: string, options: MakeClassificationSetOptions): Promise<MadeEvalSet> {
  mkdirSync(path.join(dir, 'test'), { recursive: true });
  if (!options.omitClassnames) writeFileSync(path.join(dir, 'classnames.txt'), options.classnames.join('\n') + '\n');
  if (!options.omitTemplates) {
    writeFileSync(path.join(dir, 'zeroshot_classification_templates.txt'), (options.templates ?? ['a photo of a {c}.', 'a picture of the {c}.']).join('\n') + '\n');
  }
  writeFileSync(path.join(dir, 'test', 'nshards.txt'), options.nshardsText ?? `${options.shards}\n`);
  const formats = options.formats ?? ['webp', 'png', 'jpg'];
  const labelOf = options.labelOf ?? ((n: number) => n % options.classnames.length);
  const samples: MadeEvalSet['samples'] = [];
  let serial = 0;
  for (let s = 0; s < options.shards; s++) {
    const members: TarMemberInput[] = [];
    for (let i = 0; i < options.samplesPerShard; i++) {
      const n = serial++;
      const key = `s${String(n).padStart(7, '0')}`;
      const format = formats[n % formats.length] as ImageFormat;
      const label = labelOf(n);
      members.push({ name: `${key}.${format}`, data: await makeImage(30 + (n % 5), 26 + (n % 7), format, colourOfSerial(n)) });
      members.push({ name: `${key}.cls`, data: String(label) });
      samples.push({ key, serial: n, label });
    }
    writeFileSync(path.join(dir, 'test', `${s}.tar`), Buffer.concat([...members.flatMap(encodeMember), Buffer.alloc(1024)]));
  }
  return { dir, count: samples.length, samples };
}

export interface MakeRetrievalSetOptions {
  shards: number;
  samplesPerShard: number;
  captionsPerImage?: number;
  /** Where captions go: txt lines (default), a captions.json list, or a json list. */
  captionFormat?: 'txt' | 'captions.json' | 'json';
  omitDatasetType?: boolean;
}

export async function makeRetrievalSet(dir: string, options: MakeRetrievalSetOptions): Promise<MadeEvalSet> {
  mkdirSync(path.join(dir, 'test'), { recursive: true });
  if (!options.omitDatasetType) writeFileSync(path.join(dir, 'dataset_type.txt'), 'retrieval\n');
  writeFileSync(path.join(dir, 'test', 'nshards.txt'), `${options.shards}\n`);
  const per = options.captionsPerImage ?? 3;
  const fmt = options.captionFormat ?? 'txt';
  const samples: MadeEvalSet['samples'] = [];
  let serial = 0;
  for (let s = 0; s < options.shards; s++) {
    const members: TarMemberInput[] = [];
    for (let i = 0; i < options.samplesPerShard; i++) {
      const n = serial++;
      const key = `s${String(n).padStart(7, '0')}`;
      const captions = Array.from({ length: per }, (_, c) => `caption ${c} of image ${n}`);
      members.push({ name: `${key}.jpg`, data: await makeImage(40, 30, 'jpg', colourOfSerial(n)) });
      if (fmt === 'txt') members.push({ name: `${key}.txt`, data: captions.join('\n') + '\n' });
      else members.push({ name: `${key}.${fmt}`, data: JSON.stringify(captions) });
      samples.push({ key, serial: n, captions });
    }
    writeFileSync(path.join(dir, 'test', `${s}.tar`), Buffer.concat([...members.flatMap(encodeMember), Buffer.alloc(1024)]));
  }
  return { dir, count: samples.length, samples };
}
