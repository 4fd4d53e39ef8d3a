/**
 * Which shards a loader stream reads in one pass over the data, webdataset style: the pass's shard
 * order (seeded shuffle of seed, epoch, pass; or the given order with shuffling off) is split by
 * rank (`order[rank::worldSize]`), then by the rank's loader streams (`[stream::streams]`).
 *
 * With fewer shards than worldSize x streams some streams would get nothing (webdataset then fails);
 * we instead let every stream read every shard and keep every (worldSize x streams)-th sample, which
 * is still disjoint and covering, at the price of reading each shard that many times.
 */
import { mixSeed, Rng } from '../rng';

export const SEED_TAG_SHARDS = 0x5a4d;

export interface PassAssignment {
  shards: string[];
  /** Present when splitting by sample: keep sample i of the pass iff i % modulo === residue. */
  sampleSplit?: { modulo: number; residue: number };
}

export interface AssignmentInput {
  shards: readonly string[];
  shuffle: boolean;
  seed: number;
  epoch: number;
  pass: number;
  rank: number;
  worldSize: number;
  stream: number;
  streams: number;
}

export function passShardOrder(input: Pick<AssignmentInput, 'shards' | 'shuffle' | 'seed' | 'epoch' | 'pass'>): string[] {
  const order = [...input.shards];
  if (!input.shuffle) return order;
  return new Rng(mixSeed(input.seed, input.epoch, input.pass, SEED_TAG_SHARDS)).shuffle(order);
}

export function assignShards(input: AssignmentInput): PassAssignment {
  const order = passShardOrder(input);
  const total = input.worldSize * input.streams;
  if (order.length >= total) {
    const perRank = order.filter((_, i) => i % input.worldSize === input.rank);
    return { shards: perRank.filter((_, i) => i % input.streams === input.stream) };
  }
  return { shards: order, sampleSplit: { modulo: total, residue: input.rank * input.streams + input.stream } };
}
