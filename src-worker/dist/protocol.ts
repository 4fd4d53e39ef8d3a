/**
 * The fixed-size control message every rank sends on each round of a collective. It carries what the
 * sender called (op, total length, root, phase) so that every receiver can check that all ranks are in
 * the same call: a mismatch is reported instead of reading another call's bytes. The bytes themselves
 * never travel in messages; they sit in the sender's buffer files.
 */

/** Bytes in one message; under PIPE_BUF (4096), so concurrent writers into one FIFO never interleave. */
export const MESSAGE_BYTES = 32;
const MESSAGE_INTS = MESSAGE_BYTES / 4;
export const MAGIC = 0x434c5057; // "CLPW"
/** Sender id of the watchdog thread's wake-ups. */
export const WATCHDOG_SENDER = -1;

export const Op = {
  join: 1,
  barrier: 2,
  allGather: 3,
  allGatherInt: 4,
  allReduceMean: 5,
  broadcast: 6,
  broadcastInt: 7,
  /** Ring all-reduce (kept for the benchmark's comparison). */
  allReduceMeanRing: 8,
} as const;
export type OpCode = (typeof Op)[keyof typeof Op];

/** Watchdog reasons, carried in the `op` field of a wake-up. */
export const Wake = { timeout: 100, peerGone: 101 } as const;

const OP_NAMES: Record<number, string> = Object.fromEntries(Object.entries(Op).map(([k, v]) => [v, k]));
export function opName(op: number): string {
  return OP_NAMES[op] ?? `unknown op ${op}`;
}

export interface Message {
  sender: number;
  /** Round counter for collectives; wait generation for watchdog wake-ups. */
  round: number;
  op: number;
  phase: number;
  /** Total element count of the call (not of the phase). */
  length: number;
  /** Root rank for broadcasts; the dead rank for a peerGone wake-up; 0 otherwise. */
  aux: number;
}

const TWO_32 = 2 ** 32;

export function encodeMessage(m: Message, out: Int32Array = new Int32Array(MESSAGE_INTS)): Int32Array {
  out[0] = MAGIC;
  out[1] = m.sender;
  out[2] = m.round;
  out[3] = m.op;
  out[4] = m.phase;
  out[5] = m.length % TWO_32 | 0;
  out[6] = Math.floor(m.length / TWO_32) | 0;
  out[7] = m.aux;
  return out;
}

/** Reads message `index` of `ints`; throws when the magic number is wrong (a stray writer or torn read). */
export function decodeMessage(ints: Int32Array, index: number): Message {
  const o = index * MESSAGE_INTS;
  if (ints[o] !== MAGIC) {
    throw new Error(`corrupt control message (magic ${ints[o]}): another process writes into this rank's FIFO`);
  }
  const lo = ints[o + 5]! >>> 0;
  const hi = ints[o + 6]! >>> 0;
  return {
    sender: ints[o + 1]!,
    round: ints[o + 2]!,
    op: ints[o + 3]!,
    phase: ints[o + 4]!,
    length: hi * TWO_32 + lo,
    aux: ints[o + 7]!,
  };
}
