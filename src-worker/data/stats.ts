/**
 * Counters for what the data pipeline read, yielded and skipped. Bad data never stops a run; it is
 * counted here by kind, and the first few cases are kept verbatim so the log can say where they are.
 */

export const DEFECT_KINDS = [
  /** A tar header whose checksum is wrong (the reader resynchronised after it). */
  'corrupt_header',
  /** A shard that ends inside a header or a member. */
  'truncated_shard',
  /** A shard that could not be opened or read (permissions, vanished file, I/O error). */
  'unreadable_shard',
  /** A second member with the same key and extension inside one sample (the first is kept). */
  'duplicate_member',
  'no_image',
  'no_caption',
  /** No JSON, unparsable JSON, or a JSON without an integer `key` (training); no `cls` (eval). */
  'no_key',
  /** JSON key >= dataSize (FastCLIP's per-sample state has no slot for it). */
  'key_out_of_range',
  /** Image bytes sharp cannot decode. */
  'decode_failed',
] as const;

export type DefectKind = (typeof DEFECT_KINDS)[number];

export interface DataStats {
  /** Samples delivered in batches. */
  samples: number;
  batches: number;
  shardsOpened: number;
  /** Times a loader stream ran out of shards within an epoch and started its list again. */
  shardListRestarts: number;
  /** Samples dropped because a pass over the shards ended inside a batch (the reference paper's code drops partial batches). */
  droppedAtPassEnd: number;
  skipped: Record<DefectKind, number>;
  /** The first few defects, e.g. "decode_failed: /data/00000003.tar 000000123: ...". */
  examples: string[];
}

export const MAX_EXAMPLES = 10;

export function emptyStats(): DataStats {
  const skipped = Object.fromEntries(DEFECT_KINDS.map((k) => [k, 0])) as Record<DefectKind, number>;
  return { samples: 0, batches: 0, shardsOpened: 0, shardListRestarts: 0, droppedAtPassEnd: 0, skipped, examples: [] };
}

export function recordDefect(stats: DataStats, kind: DefectKind, detail: string): void {
  stats.skipped[kind]++;
  if (stats.examples.length < MAX_EXAMPLES) stats.examples.push(`${kind}: ${detail}`);
}

/** Adds `delta` into `total` (used to merge what worker threads report). */
export function mergeStats(total: DataStats, delta: DataStats): void {
  total.samples += delta.samples;
  total.batches += delta.batches;
  total.shardsOpened += delta.shardsOpened;
  total.shardListRestarts += delta.shardListRestarts;
  total.droppedAtPassEnd += delta.droppedAtPassEnd;
  for (const k of DEFECT_KINDS) total.skipped[k] += delta.skipped[k];
  for (const e of delta.examples) if (total.examples.length < MAX_EXAMPLES) total.examples.push(e);
}

/** Returns the counts accumulated so far and zeroes `stats` (for sending deltas). */
export function takeStats(stats: DataStats): DataStats {
  const snapshot: DataStats = { ...stats, skipped: { ...stats.skipped }, examples: [...stats.examples] };
  const zero = emptyStats();
  Object.assign(stats, zero);
  return snapshot;
}

export function totalSkipped(stats: DataStats): number {
  return DEFECT_KINDS.reduce((sum, k) => sum + stats.skipped[k], 0);
}

/** One line for the training log. */
export function summarizeStats(stats: DataStats): string {
  const skipped = DEFECT_KINDS.filter((k) => stats.skipped[k] > 0).map((k) => `${k} ${stats.skipped[k]}`);
  const parts = [
    `data: ${stats.batches} batches, ${stats.samples} samples from ${stats.shardsOpened} shard reads`,
    skipped.length ? `skipped ${totalSkipped(stats)} (${skipped.join(', ')})` : 'nothing skipped',
  ];
  if (stats.shardListRestarts > 0) parts.push(`shard list restarted ${stats.shardListRestarts}x within epochs`);
  if (stats.droppedAtPassEnd > 0) parts.push(`${stats.droppedAtPassEnd} samples dropped at pass ends (partial batches)`);
  return parts.join('; ');
}
