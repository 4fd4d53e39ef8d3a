/**
 * One evaluation loader stream: reads its shards in order, eval-transforms images and yields batches
 * of up to `batchSize` (the last one may be smaller). The folder was validated before streaming, so
 * anything still wrong here (a file changed meanwhile, an undecodable image) is counted and skipped.
 */
import { checkEvalSample, EVAL_EXTENSIONS } from '../samples/eval-sample';
import { readShardSamples } from '../samples/shard-samples';
import { recordDefect, type DataStats } from '../stats';
import { decodeTransformed, normaliseInto } from '../transform/image-transform';
import { DecodeWindow } from './decode-window';
import type { EvalStreamSpec, RawEvalBatch } from './stream-types';

interface ReadyEvalSample {
  name: string;
  origin: string;
  image: Buffer;
  label?: number;
  captions?: string[];
}

async function* evalSamples(spec: EvalStreamSpec, stats: DataStats): AsyncGenerator<ReadyEvalSample> {
  for (const shard of spec.shards) {
    stats.shardsOpened++;
    const samples = readShardSamples(shard, {
      onDefect: (kind, detail) => recordDefect(stats, kind, detail),
      wantExtension: (ext) => EVAL_EXTENSIONS.has(ext),
    });
    for await (const raw of samples) {
      const origin = `${shard} ${raw.key}`;
      const check = checkEvalSample(raw, spec.mode, spec.numClasses);
      if (!check.image || check.problem) {
        const kind = !check.image ? 'no_image' : spec.mode === 'classification' ? 'no_key' : 'no_caption';
        recordDefect(stats, kind, `${origin}: ${check.problem ?? 'no image'}`);
        continue;
      }
      yield { name: raw.key, origin, image: check.image, label: check.label, captions: check.captions };
    }
  }
}

export async function* evalStream(spec: EvalStreamSpec, stats: DataStats): AsyncGenerator<RawEvalBatch> {
  const size = spec.imageSize;
  const pixelsPerImage = size * size;
  const transform = { size, augment: false };
  const source = evalSamples(spec, stats);
  const window = new DecodeWindow<ReadyEvalSample>(spec.decodeConcurrency);
  let sourceDone = false;

  const fill = async (): Promise<void> => {
    while (!sourceDone && !window.full) {
      const next = await source.next();
      if (next.done) {
        sourceDone = true;
        return;
      }
      const item = next.value;
      window.submit(item, () => decodeTransformed(item.image, transform, undefined));
    }
  };

  try {
    for (;;) {
      const images = new Float32Array(spec.batchSize * pixelsPerImage * 3);
      const labels: number[] = [];
      const captions: string[][] = [];
      const sampleKeys: string[] = [];
      while (sampleKeys.length < spec.batchSize) {
        await fill();
        const done = await window.next();
        if (!done) break;
        const { item, result } = done;
        if (!result.ok) {
          recordDefect(stats, 'decode_failed', `${item.origin}: ${result.error}`);
          continue;
        }
        normaliseInto(result.pixels.data, result.pixels.channels, pixelsPerImage, images, sampleKeys.length * pixelsPerImage * 3);
        sampleKeys.push(item.name);
        if (item.label !== undefined) labels.push(item.label);
        if (item.captions) captions.push(item.captions);
      }
      const n = sampleKeys.length;
      if (n === 0) return;
      stats.batches++;
      stats.samples += n;
      yield {
        kind: 'eval',
        size: n,
        imageSize: size,
        images: n === spec.batchSize ? images : images.slice(0, n * pixelsPerImage * 3),
        labels: spec.mode === 'classification' ? Int32Array.from(labels) : undefined,
        captions: spec.mode === 'retrieval' ? captions : undefined,
        sampleKeys,
      };
      if (n < spec.batchSize) return;
    }
  } finally {
    await window.settle();
    await source.return(undefined);
  }
}
