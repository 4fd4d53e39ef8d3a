import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, MESSAGE_BYTES, Op, opName, type Message } from '../../../src-worker/dist/protocol';

describe('control messages', () => {
  it('round-trip every field, including lengths beyond 32 bits and negative senders', () => {
    const cases: Message[] = [
      { sender: 3, round: 12345, op: Op.allReduceMean, phase: 7, length: 150_000_000, aux: 0 },
      { sender: -1, round: -5, op: 100, phase: 0, length: 2 ** 40 + 17, aux: 2 },
      { sender: 0, round: 0, op: Op.barrier, phase: 0, length: 0, aux: 0 },
    ];
    const buf = new Int32Array((MESSAGE_BYTES / 4) * cases.length);
    cases.forEach((m, i) => encodeMessage(m, buf.subarray(i * 8, i * 8 + 8)));
    cases.forEach((m, i) => expect(decodeMessage(buf, i)).toEqual(m));
  });

  it('refuses bytes that are not a message', () => {
    expect(() => decodeMessage(new Int32Array(8), 0)).toThrow(/corrupt control message/);
  });

  it('names the ops for error messages', () => {
    expect(opName(Op.allGatherInt)).toBe('allGatherInt');
    expect(opName(99)).toBe('unknown op 99');
  });
});
