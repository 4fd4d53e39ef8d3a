import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { openClassificationSet } from '../../../src-worker/data/eval/eval-set';
import { buildFashionMnist, type BuildProgress } from '../../../src-worker/data/fashion-mnist/build';
import { fashionMnistPackage, loadClass } from '../../../src-worker/data/fashion-mnist/source';
import { readShardSamples } from '../../../src-worker/data/samples/shard-samples';
import { resolveShards } from '../../../src-worker/data/shards/resolve';

const root = mkdtempSync(path.join(tmpdir(), 'clipwb-fmnist-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The 784 pixels of one of our grayscale PNGs (filter type 0 on every row); plain checks, as this runs 70,000 times. */
function pngPixels(png: Buffer): Buffer {
  const idatLength = png.readUInt32BE(33);
  if (png.toString('latin1', 37, 41) !== 'IDAT') throw new Error('IDAT is not the second chunk');
  const raw = inflateSync(png.subarray(41, 41 + idatLength));
  const out = Buffer.alloc(28 * 28);
  for (let y = 0; y < 28; y++) {
    if (raw[y * 29] !== 0) throw new Error(`row ${y} has filter ${raw[y * 29]}`);
    raw.copy(out, y * 28, y * 29 + 1, y * 29 + 29);
  }
  return out;
}

const hash = (b: Uint8Array) => createHash('sha1').update(b).digest('hex');
const noop = () => undefined;

async function readAll(shard: string) {
  const out = [];
  const defects: string[] = [];
  for await (const s of readShardSamples(shard, { onDefect: (k, d) => defects.push(`${k}: ${d}`) })) out.push(s);
  expect(defects).toEqual([]);
  return out;
}

describe('built-in Fashion-MNIST dataset', () => {
  it('builds train shards and a held-out zero-shot set with the documented split, then reuses or repairs them', async () => {
    const outDir = path.join(root, 'fmnist');
    const progress: BuildProgress[] = [];
    const built = await buildFashionMnist({ outDir, onProgress: (p) => progress.push(p) });

    // Layout and counts.
    expect(built.train.shards.map((s) => path.relative(outDir, s))).toEqual([0, 1, 2, 3, 4, 5].map((i) => `train/0000000${i}.tar`));
    expect(resolveShards(built.train.pattern).shards).toEqual(built.train.shards);
    expect(built.dataSize).toBe(60_000);
    expect(built.classnames).toHaveLength(10);
    expect(built.rebuilt).toHaveLength(11);
    const writes = progress.filter((p) => p.phase === 'write');
    expect(writes.at(-1)).toEqual({ phase: 'write', done: 70_000, total: 70_000 });
    expect(writes.every((p, i) => i === 0 || p.done >= (writes[i - 1] as BuildProgress).done)).toBe(true);

    // Train shards: img2dataset keys, captions naming the class, 6,000 per class.
    const perClass = new Array<number>(10).fill(0);
    const trainPixels: string[][] = Array.from({ length: 10 }, () => []);
    const problems: string[] = [];
    let n = 0;
    for (const [s, shard] of built.train.shards.entries()) {
      const samples = await readAll(shard);
      expect(samples).toHaveLength(10_000);
      for (const [offset, sample] of samples.entries()) {
        const key = s * 10_000 + offset;
        const meta = JSON.parse((sample.members.get('json') as Buffer).toString()) as { key: string; label: number };
        const caption = (sample.members.get('txt') as Buffer).toString();
        if (sample.key !== String(key).padStart(9, '0') || Number(meta.key) !== key) problems.push(`${shard} #${offset}: key ${sample.key} / ${meta.key}`);
        if (!caption.includes(built.classnames[meta.label] as string)) problems.push(`${sample.key}: caption "${caption}" does not name its class`);
        perClass[meta.label]!++;
        trainPixels[meta.label]!.push(hash(pngPixels(sample.members.get('png') as Buffer)));
        n++;
      }
    }
    expect(problems).toEqual([]);
    expect(n).toBe(60_000);
    expect(perClass).toEqual(new Array(10).fill(6000));

    // Test set: CLIP_benchmark layout, 1,000 per class.
    const test = await openClassificationSet(built.test.dir);
    expect(test.count).toBe(10_000);
    expect(test.classnames).toEqual(built.classnames);
    expect(test.templates.every((t) => t.includes('{c}'))).toBe(true);
    const testPixels: string[][] = Array.from({ length: 10 }, () => []);
    for (const shard of test.shards) {
      for (const sample of await readAll(shard)) {
        const label = Number((sample.members.get('cls') as Buffer).toString());
        testPixels[label]!.push(hash(pngPixels(sample.members.get('png') as Buffer)));
      }
    }
    expect(testPixels.map((l) => l.length)).toEqual(new Array(10).fill(1000));

    // The split: per class, the first 6,000 valid images are train, the last 1,000 are test.
    const pkg = fashionMnistPackage().dir;
    for (let c = 0; c < 10; c++) {
      const valid = loadClass(pkg, c).map((img) => hash(img.pixels));
      expect(valid).toHaveLength(7000);
      expect([...(trainPixels[c] as string[])].sort()).toEqual(valid.slice(0, 6000).sort());
      expect([...(testPixels[c] as string[])].sort()).toEqual(valid.slice(6000).sort());
    }

    // Manifest: every file with its size and hash.
    const manifest = JSON.parse(readFileSync(built.manifestPath, 'utf8')) as { files: Record<string, { bytes: number; sha256: string }> };
    expect(Object.keys(manifest.files).sort()).toEqual([...built.rebuilt].sort());
    for (const [rel, f] of Object.entries(manifest.files)) {
      const bytes = readFileSync(path.join(outDir, rel));
      expect(bytes.length).toBe(f.bytes);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(f.sha256);
    }

    // Second call: verifies, reuses, writes nothing.
    const mtimes = Object.keys(manifest.files).map((rel) => statSync(path.join(outDir, rel)).mtimeMs);
    const again: BuildProgress[] = [];
    const second = await buildFashionMnist({ outDir, onProgress: (p) => again.push(p) });
    expect(second.rebuilt).toEqual([]);
    expect(again.every((p) => p.phase === 'verify')).toBe(true);
    expect(Object.keys(manifest.files).map((rel) => statSync(path.join(outDir, rel)).mtimeMs)).toEqual(mtimes);

    // A corrupted shard (same size) and a deleted file are detected and rebuilt, byte-identical.
    const shard3 = path.join(outDir, 'train/00000003.tar');
    const damaged = readFileSync(shard3);
    damaged[123_456] = (damaged[123_456] as number) ^ 0xff;
    writeFileSync(shard3, damaged);
    unlinkSync(path.join(outDir, 'test-zeroshot/classnames.txt'));
    const third = await buildFashionMnist({ outDir, onProgress: noop });
    expect([...third.rebuilt].sort()).toEqual(['test-zeroshot/classnames.txt', 'train/00000003.tar']);
    expect(createHash('sha256').update(readFileSync(shard3)).digest('hex')).toBe(manifest.files['train/00000003.tar']?.sha256);
    expect(existsSync(path.join(outDir, 'test-zeroshot/classnames.txt'))).toBe(true);
    expect(readFileSync(built.manifestPath, 'utf8')).toBe(JSON.stringify(JSON.parse(readFileSync(built.manifestPath, 'utf8')), null, 2) + '\n');
  });
});
