import { describe, expect, it } from 'vitest';
import { assignShards, passShardOrder } from '../../../src-worker/data/loader/shard-assignment';
import { batchesPerEpoch, batchesTakenFromStream } from '../../../src-worker/data/loader/step-accounting';
import { resolveTrainOptions } from '../../../src-worker/data/loader/train-options';
import { checkTrainSample, parseSampleKey } from '../../../src-worker/data/samples/train-sample';
import { splitMemberName } from '../../../src-worker/data/samples/shard-samples';

describe('step accounting', () => {
  it('gives the seed 1566 batches per epoch (N 1e6, b 320, K 2, W 6)', () => {
    expect(batchesPerEpoch(1_000_000, 320, 2, 6)).toBe(1566);
    expect(batchesPerEpoch(1_000_000, 320, 2, 6) * 320 * 2).toBe(1_002_240);
  });

  it('counts workers 0 as one and rounds up to a multiple of the workers', () => {
    expect(batchesPerEpoch(100, 10, 1, 0)).toBe(10);
    expect(batchesPerEpoch(101, 10, 1, 1)).toBe(11);
    expect(batchesPerEpoch(101, 10, 1, 4)).toBe(12);
  });

  it('attributes consumed batches round-robin to streams', () => {
    const consumed = 7;
    const perStream = [0, 1, 2].map((s) => batchesTakenFromStream(consumed, s, 3));
    expect(perStream).toEqual([3, 2, 2]);
    expect(batchesTakenFromStream(0, 0, 3)).toBe(0);
    expect(batchesTakenFromStream(2, 2, 3)).toBe(0);
  });
});

describe('shard assignment', () => {
  const shards = Array.from({ length: 11 }, (_, i) => `s${i}`);
  const base = { shards, shuffle: true, seed: 5, epoch: 2, pass: 0 };

  it('splits a pass disjointly and completely over ranks x streams', () => {
    const seen: string[] = [];
    for (let rank = 0; rank < 2; rank++)
      for (let stream = 0; stream < 3; stream++) {
        const a = assignShards({ ...base, rank, worldSize: 2, stream, streams: 3 });
        expect(a.sampleSplit).toBeUndefined();
        seen.push(...a.shards);
      }
    expect(seen.sort()).toEqual([...shards].sort());
  });

  it('orders shards by (seed, epoch, pass) only, and keeps them in order without shuffling', () => {
    const order = passShardOrder(base);
    expect(passShardOrder(base)).toEqual(order);
    expect(passShardOrder({ ...base, epoch: 3 })).not.toEqual(order);
    expect(passShardOrder({ ...base, pass: 1 })).not.toEqual(order);
    expect(passShardOrder({ ...base, shuffle: false })).toEqual(shards);
  });

  it('falls back to a disjoint per-sample split when there are fewer shards than streams', () => {
    const few = { ...base, shards: ['a', 'b'] };
    const residues = new Set<number>();
    for (let rank = 0; rank < 2; rank++)
      for (let stream = 0; stream < 2; stream++) {
        const a = assignShards({ ...few, rank, worldSize: 2, stream, streams: 2 });
        expect(a.shards.sort()).toEqual(['a', 'b']);
        expect(a.sampleSplit?.modulo).toBe(4);
        residues.add(a.sampleSplit?.residue ?? -1);
      }
    expect([...residues].sort()).toEqual([0, 1, 2, 3]);
  });
});

describe('training sample checks', () => {
  const sample = (members: Record<string, string>) => ({
    key: 'x/000000001',
    shard: '/d/0.tar',
    members: new Map(Object.entries(members).map(([k, v]) => [k, Buffer.from(v)])),
    unread: new Set<string>(),
  });

  it('parses the JSON key from strings of digits and from integers', () => {
    expect(parseSampleKey(Buffer.from('{"key": "000012345"}'))).toBe(12345);
    expect(parseSampleKey(Buffer.from('{"key": 77}'))).toBe(77);
    expect(parseSampleKey(Buffer.from('{"key": "12a"}'))).toBeUndefined();
    expect(parseSampleKey(Buffer.from('{"key": -1}'))).toBeUndefined();
    expect(parseSampleKey(Buffer.from('{"url": "x"}'))).toBeUndefined();
    expect(parseSampleKey(Buffer.from('not json'))).toBeUndefined();
  });

  it('names the first missing piece, in the order image, caption, key, range', () => {
    expect(checkTrainSample(sample({ txt: 'c', json: '{"key":"1"}' }), 10)).toMatchObject({ ok: false, kind: 'no_image' });
    expect(checkTrainSample(sample({ png: 'p', json: '{"key":"1"}' }), 10)).toMatchObject({ ok: false, kind: 'no_caption' });
    expect(checkTrainSample(sample({ webp: 'w', txt: 'c' }), 10)).toMatchObject({ ok: false, kind: 'no_key' });
    expect(checkTrainSample(sample({ jpg: 'j', txt: 'c', json: '{"key":"10"}' }), 10)).toMatchObject({ ok: false, kind: 'key_out_of_range' });
    const ok = checkTrainSample(sample({ jpeg: 'J', png: 'P', txt: ' a cat \n', json: '{"key":"9"}' }), 10);
    expect(ok).toMatchObject({ ok: true, sample: { key: 9, caption: 'a cat' } });
    // png is preferred over jpeg, as in open_clip's "jpg;png;jpeg;webp".
    expect(ok.ok && ok.sample.image.toString()).toBe('P');
  });

  it('splits member names into key (directory included) and lower-cased extension', () => {
    expect(splitMemberName('a/b/000123.JPG')).toEqual({ key: 'a/b/000123', ext: 'jpg' });
    expect(splitMemberName('x.captions.json')).toEqual({ key: 'x', ext: 'captions.json' });
    expect(splitMemberName('README')).toBeUndefined();
    expect(splitMemberName('dir/._000.jpg')).toBeUndefined();
  });
});

describe('loader options', () => {
  const valid = { trainData: 'x.tar', batchSize: 4, workers: 2, trainNumSamples: 10, dataSize: 10, imageSize: 8, seed: 0, tokenize: () => new Int32Array(0) };

  it('fills the seed defaults', () => {
    expect(resolveTrainOptions(valid)).toMatchObject({ shuffle: true, augment: true, shuffleBuffer: 5000, shuffleInitial: 1000, rank: 0, worldSize: 1, prefetch: 2 });
  });

  it('names the bad option and its flag', () => {
    expect(() => resolveTrainOptions({ ...valid, batchSize: 0 })).toThrow(/batchSize \(--batch-size\) must be an integer >= 1, got 0/);
    expect(() => resolveTrainOptions({ ...valid, rank: 2, worldSize: 2 })).toThrow(/rank must be an integer in \[0, 1\]/);
    expect(() => resolveTrainOptions({ ...valid, trainData: ' ' })).toThrow(/--train-data/);
    expect(() => resolveTrainOptions({ ...valid, shuffleBuffer: 10, shuffleInitial: 20 })).toThrow(/shuffleInitial/);
  });
});
