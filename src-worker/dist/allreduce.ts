/**
 * Three ways to compute the element-wise mean over ranks on the shared-memory transport. All are
 * deterministic: every element is summed in one fixed order by one rank (or identically by all), and
 * every rank ends with the same bits. Mean = float32 sum (rounded after each addition) times 1/K, which
 * equals a division by K when K is a power of two.
 *
 * - direct: every rank writes its array, reads all others and sums all of it. One round; K-1 reads of
 *   the whole array per rank. Best for small arrays, where the round dominates.
 * - reduce-scatter + all-gather: each segment is cut in K chunks; rank r sums chunk r of everyone,
 *   writes the result, then everyone reads every result. Two rounds per segment and about 3 array
 *   sizes of memory traffic per rank whatever K is. Best for large arrays (chosen by measurement, see
 *   bench/collective.ts).
 * - ring: the NCCL-style ring over the same files, 2(K-1) neighbour rounds plus one to release the
 *   buffers. Kept to compare against; on one machine it only adds rounds.
 */
import { bytesOf } from './bytes';
import { chunkRange, segmentRanges } from './partition';
import type { ShmTransport } from './transport';

/** out[i] = (out[i] + src[i]) for a middle rank, and then times 1/K for the last one. */
function accumulate(out: Float32Array, src: Float32Array, scale: number | undefined): void {
  const n = out.length;
  if (scale === undefined) {
    for (let i = 0; i < n; i++) out[i] = out[i]! + src[i]!;
  } else {
    for (let i = 0; i < n; i++) out[i] = Math.fround(out[i]! + src[i]!) * scale;
  }
}

/** True when `out` is `data` (or the same memory): the reduction runs in place. */
function sameMemory(a: Float32Array, b: Float32Array): boolean {
  return a.buffer === b.buffer && a.byteOffset === b.byteOffset;
}

export function allReduceDirect(t: ShmTransport, op: number, input: Float32Array, out: Float32Array): void {
  const n = input.length;
  const parity = t.nextParity();
  t.writeOwn(parity, bytesOf(input), 0);
  t.exchange({ op, length: n, phase: 0, aux: 0 }, t.peers, t.peers);
  const k = t.worldSize;
  // In place, rank 0's values land in `out` first: keep this rank's own values aside (arrays are small here).
  const data = sameMemory(input, out) && t.rank !== 0 ? input.slice() : input;
  const scratch = t.scratch(n);
  for (let r = 0; r < k; r++) {
    let src = data;
    if (r !== t.rank) {
      src = r === 0 ? out : scratch;
      t.readPeer(r, parity, bytesOf(src), 0);
    }
    if (r === 0) {
      if (src !== out) out.set(src);
    } else {
      accumulate(out, src, r === k - 1 ? 1 / k : undefined);
    }
  }
}

export function allReduceReduceScatter(t: ShmTransport, op: number, data: Float32Array, out: Float32Array,
  segmentLength: number): void {
  const n = data.length;
  const k = t.worldSize;
  const inPlace = sameMemory(data, out);
  const segments = segmentRanges(n, segmentLength);
  segments.forEach((seg, s) => {
    const segLen = seg.end - seg.start;
    const parity = t.nextParity();
    const mine = chunkRange(segLen, k, t.rank);
    // The own chunk is never read by a peer, so it is not written; its slot later receives the result.
    if (mine.start > 0) t.writeOwn(parity, bytesOf(data, seg.start, seg.start + mine.start), 0);
    if (mine.end < segLen) t.writeOwn(parity, bytesOf(data, seg.start + mine.end, seg.end), mine.end * 4);
    t.exchange({ op, length: n, phase: 2 * s, aux: 0 }, t.peers, t.peers);

    const len = mine.end - mine.start;
    const acc = out.subarray(seg.start + mine.start, seg.start + mine.end);
    const work = t.scratch(2 * len);
    const scratch = work.subarray(0, len);
    let ownPart = data.subarray(seg.start + mine.start, seg.start + mine.end);
    if (inPlace && t.rank !== 0) {
      // Rank 0's chunk is read into `acc` first, over this rank's own values: keep a copy (one chunk).
      const kept = work.subarray(len);
      kept.set(ownPart);
      ownPart = kept;
    }
    for (let r = 0; r < k; r++) {
      const own = r === t.rank;
      const src = own ? ownPart : r === 0 ? acc : scratch;
      if (!own && len > 0) t.readPeer(r, parity, bytesOf(src), mine.start * 4);
      if (r === 0) {
        if (src !== acc) acc.set(src);
      } else {
        accumulate(acc, src, r === k - 1 ? 1 / k : undefined);
      }
    }
    if (len > 0) t.writeOwn(parity, bytesOf(acc), mine.start * 4);
    t.exchange({ op, length: n, phase: 2 * s + 1, aux: 0 }, t.peers, t.peers);

    for (const p of t.peers) {
      const c = chunkRange(segLen, k, p);
      if (c.end > c.start) t.readPeer(p, parity, bytesOf(out, seg.start + c.start, seg.start + c.end), c.start * 4);
    }
  });
}

export function allReduceRing(t: ShmTransport, op: number, data: Float32Array, out: Float32Array,
  segmentLength: number): void {
  const n = data.length;
  const k = t.worldSize;
  const next = [(t.rank + 1) % k];
  const prev = [(t.rank + k - 1) % k];
  out.set(data);
  const segments = segmentRanges(n, segmentLength);
  segments.forEach((seg, s) => {
    const segLen = seg.end - seg.start;
    const parity = t.nextParity();
    const regionBytes = Math.ceil(segLen / k) * 4;
    const chunk = (c: number): Float32Array => {
      const r = chunkRange(segLen, k, ((c % k) + k) % k);
      return out.subarray(seg.start + r.start, seg.start + r.end);
    };
    let phase = s * 2 * k;
    // Reduce-scatter: after step k-2, rank r holds the finished chunk r+1.
    for (let step = 0; step < k - 1; step++) {
      t.writeOwn(parity, bytesOf(chunk(t.rank - step)), step * regionBytes);
      t.exchange({ op, length: n, phase: phase++, aux: 0 }, next, prev);
      const target = chunk(t.rank - step - 1);
      const incoming = t.scratch(target.length);
      t.readPeer(prev[0]!, parity, bytesOf(incoming), step * regionBytes);
      accumulate(target, incoming, step === k - 2 ? 1 / k : undefined);
    }
    // All-gather of the finished chunks around the ring.
    for (let step = 0; step < k - 1; step++) {
      const region = (k - 1 + step) * regionBytes;
      t.writeOwn(parity, bytesOf(chunk(t.rank + 1 - step)), region);
      t.exchange({ op, length: n, phase: phase++, aux: 0 }, next, prev);
      t.readPeer(prev[0]!, parity, bytesOf(chunk(t.rank - step)), region);
    }
    t.exchange({ op, length: n, phase: phase++, aux: 0 }, t.peers, t.peers);
  });
}
