/**
 * Checks of the training shards before the first step, parsing only the .json members (the other
 * bytes are skipped; through the reader's 1 MiB buffer most of the file is still read: 84-211 ms for a
 * 309 MB shard of 3,000 samples in the page cache, a disk read otherwise, which warms the cache for
 * the loader):
 *
 * - --data_size sizes FastCLIP's per-sample arrays and must exceed every sample key. The loader skips
 *   (and counts) a sample whose key is too large, which for a wrong --data_size would quietly drop most
 *   of the data; so a key of the first shard out of range fails the run with the value to use. Keys
 *   beyond it in later shards are left to the loader's "skipped and counted".
 * - The shards must hold at least one global batch of usable samples. With fewer, the loader repeats
 *   samples within every batch, and FastCLIP would take a sample's own copy for a negative. Shards are
 *   counted only until one global batch is reached (the first shard, for any real dataset).
 */
import { IMAGE_EXTENSIONS, parseSampleKey } from '../data/samples/train-sample';
import { readShardSamples, type RawSample } from '../data/samples/shard-samples';
import { ConfigError } from '../../src-shared/config/train-config';

export interface ShardKeyScan {
  /** Samples with an image, a caption and an integer key (below dataSize when one is given). */
  usable: number;
  /** The largest key and the sample it belongs to, or null when the shard holds no key. */
  largest: { key: number; sample: string } | null;
}

const has = (raw: RawSample, ext: string): boolean => raw.members.has(ext) || raw.unread.has(ext);

export async function scanShardKeys(shard: string, dataSize: number | null): Promise<ShardKeyScan> {
  const scan: ShardKeyScan = { usable: 0, largest: null };
  // Damage (a truncated shard, a bad header) is left to the loader to report and count.
  for await (const raw of readShardSamples(shard, { onDefect: () => undefined, wantExtension: (ext) => ext === 'json' })) {
    const json = raw.members.get('json');
    const key = json ? parseSampleKey(json) : undefined;
    if (key === undefined) continue;
    if (!scan.largest || key > scan.largest.key) scan.largest = { key, sample: raw.key };
    if (has(raw, 'txt') && IMAGE_EXTENSIONS.some((e) => has(raw, e)) && (dataSize === null || key < dataSize)) scan.usable++;
  }
  return scan;
}

export async function checkTrainShards(o: { shards: readonly string[]; dataSize: number | null; batchSize: number; worldSize: number }): Promise<void> {
  const globalBatch = o.batchSize * o.worldSize;
  let usable = 0;
  for (const [i, shard] of o.shards.entries()) {
    const scan = await scanShardKeys(shard, o.dataSize);
    if (i === 0 && o.dataSize !== null && scan.largest && scan.largest.key >= o.dataSize) {
      throw new ConfigError('data_size', `is ${o.dataSize}, but sample ${scan.largest.sample} of ${shard} has key ${scan.largest.key}`,
        `Set --data_size to at least ${scan.largest.key + 1}, larger than the largest sample key of the dataset ` +
        '(the fastclip-v3-seed preset uses 1400000 for the DFN 1M subset, whose keys are shard x 10000 + offset)');
    }
    usable += scan.usable;
    if (usable >= globalBatch) return;
  }
  throw new ConfigError('batch-size', `the shards hold ${usable} usable sample(s) (image, caption and key), fewer than one global batch of ${globalBatch} ` +
    `(${o.batchSize} x ${o.worldSize} worker(s)); every batch would repeat samples`, 'Lower --batch-size, or give more data with --train-data');
}
