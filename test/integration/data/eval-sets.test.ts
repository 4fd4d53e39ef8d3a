import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openClassificationSet, openEvalSet, openRetrievalSet } from '../../../src-worker/data/eval/eval-set';
import { encodeMember } from '../../../src-worker/data/tar/writer';
import type { ClassificationBatch, RetrievalBatch } from '../../../src-worker/data/types';
import { makeClassificationSet, makeImage, makeRetrievalSet, serialFromPixels } from '../../helpers/shards';

let root: string;
const CLASSES = ['t-shirt', 'trouser', 'bag'];

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'clipwb-eval-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('classification sets (CLIP_benchmark layout)', () => {
  it('yields every image once with its label, in file order, inline and with worker threads', async () => {
    const made = await makeClassificationSet(path.join(root, 'cls'), { classnames: CLASSES, shards: 3, samplesPerShard: 7 });
    const set = await openEvalSet(made.dir);
    expect(set.kind).toBe('classification');
    if (set.kind !== 'classification') return;
    expect(set.count).toBe(21);
    expect(set.classnames).toEqual(CLASSES);
    expect(set.templates).toEqual(['a photo of a {c}.', 'a picture of the {c}.']);

    const inline: ClassificationBatch[] = [];
    for await (const b of set.batches({ batchSize: 5, imageSize: 12 })) inline.push(b);
    // One inline stream batches across shard boundaries; only the last batch is partial.
    expect(inline.map((b) => b.size)).toEqual([5, 5, 5, 5, 1]);
    expect(inline.flatMap((b) => b.sampleKeys)).toEqual(made.samples.map((s) => s.key));
    expect(inline.flatMap((b) => Array.from(b.labels))).toEqual(made.samples.map((s) => s.label));
    for (const b of inline) {
      expect(b.images).toHaveLength(b.size * 12 * 12 * 3);
      b.sampleKeys.forEach((key, r) => expect(serialFromPixels(b.images, r, 12)).toBe(made.samples.find((s) => s.key === key)?.serial));
    }

    const threaded: ClassificationBatch[] = [];
    for await (const b of set.batches({ batchSize: 5, imageSize: 12, workers: 2 })) threaded.push(b);
    const byKey = (bs: ClassificationBatch[]) => new Map(bs.flatMap((b) => b.sampleKeys.map((k, r) => [k, Array.from(b.images.subarray(r * 432, (r + 1) * 432))])));
    // Thread 0 reads shards 0 and 2 (14 images), thread 1 shard 1 (7); batches alternate.
    expect(threaded.map((b) => b.size)).toEqual([5, 5, 5, 2, 4]);
    expect(byKey(threaded)).toEqual(byKey(inline));
    expect(set.stats().skipped.decode_failed).toBe(0);
  });

  it('explains what is wrong with a bad folder', async () => {
    const missingNames = await makeClassificationSet(path.join(root, 'no-names'), { classnames: CLASSES, shards: 1, samplesPerShard: 2, omitClassnames: true });
    await expect(openClassificationSet(missingNames.dir)).rejects.toThrow(/missing classnames.txt/);

    const badCount = await makeClassificationSet(path.join(root, 'nshards'), { classnames: CLASSES, shards: 2, samplesPerShard: 2, nshardsText: '3' });
    await expect(openClassificationSet(badCount.dir)).rejects.toThrow(/says 3 shard\(s\) but test\/ does not match: missing 2\.tar/);

    const tooMany = await makeClassificationSet(path.join(root, 'extra'), { classnames: CLASSES, shards: 2, samplesPerShard: 2, nshardsText: '1' });
    await expect(openClassificationSet(tooMany.dir)).rejects.toThrow(/unexpected 1\.tar/);

    const outOfRange = await makeClassificationSet(path.join(root, 'range'), { classnames: CLASSES, shards: 1, samplesPerShard: 4, labelOf: (n) => (n === 2 ? 3 : 0) });
    await expect(openClassificationSet(outOfRange.dir)).rejects.toThrow(/sample s0000002: label 3 is out of range: classnames.txt lists 3 classes/);

    const badTemplate = await makeClassificationSet(path.join(root, 'tmpl'), { classnames: CLASSES, templates: ['a photo of a {c}.', 'a photo.'], shards: 1, samplesPerShard: 1 });
    await expect(openClassificationSet(badTemplate.dir)).rejects.toThrow(/"a photo." has no \{c\} placeholder/);

    const noLabel = path.join(root, 'nolabel');
    await makeClassificationSet(noLabel, { classnames: CLASSES, shards: 1, samplesPerShard: 1 });
    writeFileSync(path.join(noLabel, 'test', '0.tar'), Buffer.concat([...encodeMember({ name: 's0.png', data: await makeImage(8, 8, 'png', [1, 2, 3]) }), Buffer.alloc(1024)]));
    await expect(openClassificationSet(noLabel)).rejects.toThrow(/sample s0: no \.cls member/);

    unlinkSync(path.join(badCount.dir, 'test', 'nshards.txt'));
    await expect(openClassificationSet(badCount.dir)).rejects.toThrow(/missing test\/nshards.txt/);
    await expect(openEvalSet(path.join(root, 'does-not-exist'))).rejects.toThrow(/does not exist/);
  });

  it('skips and counts an image that does not decode', async () => {
    const dir = path.join(root, 'undecodable');
    await makeClassificationSet(dir, { classnames: CLASSES, shards: 1, samplesPerShard: 1 });
    const members = [
      { name: 's0.png', data: await makeImage(8, 8, 'png', [1, 2, 3]) },
      { name: 's0.cls', data: '1' },
      { name: 's1.jpg', data: 'garbage' },
      { name: 's1.cls', data: '2' },
    ];
    writeFileSync(path.join(dir, 'test', '0.tar'), Buffer.concat([...members.flatMap(encodeMember), Buffer.alloc(1024)]));
    const set = await openClassificationSet(dir);
    expect(set.count).toBe(2);
    const keys: string[] = [];
    for await (const b of set.batches({ batchSize: 4, imageSize: 8 })) keys.push(...b.sampleKeys);
    expect(keys).toEqual(['s0']);
    expect(set.stats().skipped.decode_failed).toBe(1);
  });
});

describe('retrieval sets (our layout)', () => {
  for (const captionFormat of ['txt', 'captions.json', 'json'] as const) {
    it(`yields images with their captions from ${captionFormat}`, async () => {
      const made = await makeRetrievalSet(path.join(root, `retr-${captionFormat}`), { shards: 2, samplesPerShard: 3, captionsPerImage: 2, captionFormat });
      const set = await openEvalSet(made.dir);
      expect(set.kind).toBe('retrieval');
      if (set.kind !== 'retrieval') return;
      expect(set.count).toBe(6);
      expect(set.captionCount).toBe(12);
      const batches: RetrievalBatch[] = [];
      for await (const b of set.batches({ batchSize: 4, imageSize: 10 })) batches.push(b);
      expect(batches.flatMap((b) => b.captions)).toEqual(made.samples.map((s) => s.captions));
      expect(batches.flatMap((b) => b.sampleKeys)).toEqual(made.samples.map((s) => s.key));
    });
  }

  it('recognises a retrieval set without dataset_type.txt by its content or its task, and requires captions', async () => {
    const noType = await makeRetrievalSet(path.join(root, 'retr-notype'), { shards: 1, samplesPerShard: 2, captionsPerImage: 3, omitDatasetType: true });
    const byContent = await openEvalSet(noType.dir);
    expect(byContent.kind).toBe('retrieval');
    expect(byContent.kind === 'retrieval' ? byContent.captionCount : -1).toBe(6);
    expect((await openRetrievalSet(noType.dir)).count).toBe(2);
    expect((await openEvalSet(noType.dir, { kind: 'retrieval' })).kind).toBe('retrieval');
    // The marker file, where present, still wins over the task's kind.
    writeFileSync(path.join(noType.dir, 'dataset_type.txt'), 'classification\n');
    await expect(openRetrievalSet(noType.dir)).rejects.toThrow(/marked as a classification set/);
    const dir = path.join(root, 'retr-nocap');
    await makeRetrievalSet(dir, { shards: 1, samplesPerShard: 1 });
    writeFileSync(path.join(dir, 'test', '0.tar'), Buffer.concat([...encodeMember({ name: 'a.jpg', data: await makeImage(8, 8, 'jpg', [9, 9, 9]) }), Buffer.alloc(1024)]));
    await expect(openRetrievalSet(dir)).rejects.toThrow(/sample a: no \.txt, \.captions\.json or \.json member/);
  });
});
