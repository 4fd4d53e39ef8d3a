/**
 * Control messages between ranks over named pipes (one FIFO per rank, which every peer writes into).
 * A read() on a FIFO blocks in the kernel, so a waiting rank uses no CPU; this matters when K ranks
 * share fewer cores than K. Messages are 32 bytes, so writes from several peers never interleave.
 *
 * FIFOs are opened O_RDWR: on Linux that never blocks at open (no need for the peer to be there yet),
 * a reader never sees end-of-file when a writer exits, and a write never raises SIGPIPE.
 */
import fs from 'node:fs';
import { decodeMessage, encodeMessage, MESSAGE_BYTES, type Message } from './protocol';

const READ_BATCH = 64;

export class Mailbox {
  private readonly inbox = new Uint8Array(MESSAGE_BYTES * READ_BATCH);
  private readonly inboxInts = new Int32Array(this.inbox.buffer);
  private filled = 0;
  private consumed = 0;
  private readonly scratch = new Int32Array(MESSAGE_BYTES / 4);

  constructor(
    /** This rank's own FIFO, opened O_RDWR. */
    readonly ownFd: number,
    /** Peers' FIFOs by rank, opened O_RDWR; undefined for this rank. */
    private readonly peerFds: readonly (number | undefined)[],
  ) {}

  send(to: number, message: Message): void {
    const fd = this.peerFds[to];
    if (fd === undefined) throw new Error(`no FIFO open towards rank ${to}`);
    encodeMessage(message, this.scratch);
    const bytes = new Uint8Array(this.scratch.buffer);
    let done = 0;
    while (done < MESSAGE_BYTES) done += fs.writeSync(fd, bytes, done, MESSAGE_BYTES - done);
  }

  /** The next message from any sender, blocking until one comes. */
  receive(): Message {
    while (this.filled - this.consumed < MESSAGE_BYTES) this.fill();
    const message = decodeMessage(this.inboxInts, this.consumed / MESSAGE_BYTES);
    this.consumed += MESSAGE_BYTES;
    return message;
  }

  private fill(): void {
    if (this.consumed > 0) {
      // Keep a partial message (never expected, since writes are atomic) at the front.
      this.inbox.copyWithin(0, this.consumed, this.filled);
      this.filled -= this.consumed;
      this.consumed = 0;
    }
    try {
      this.filled += fs.readSync(this.ownFd, this.inbox, this.filled, this.inbox.length - this.filled, null);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EINTR' && code !== 'EAGAIN') throw err;
    }
  }
}
