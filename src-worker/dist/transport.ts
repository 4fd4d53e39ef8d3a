/**
 * The shared-memory transport under the collectives: bytes go through per-rank buffer files (on tmpfs
 * write/read are memory copies), control goes through FIFOs (see mailbox.ts), and every wait is guarded
 * by the watchdog thread (timeout, dead peer).
 *
 * Buffer reuse: each rank owns two buffer files and data-moving steps alternate between them. A step
 * that writes file p again is two steps later; to have finished the step in between it must have heard
 * from every peer in that step's first round, which each peer sends only after it finished reading the
 * earlier step. So a rank never overwrites bytes that a peer may still be reading, without an extra round.
 * Steps that exchange with some peers only (the ring) end with an all-to-all round for the same reason.
 */
import fs from 'node:fs';
import { CollectiveError } from './errors';
import { isProcessAlive } from './liveness';
import { Mailbox } from './mailbox';
import { Op, opName, Wake, WATCHDOG_SENDER, type Message } from './protocol';
import { awaitPeers, createOwnFiles, publishRank, rankPaths, removeOwnFiles, type RankPaths } from './rendezvous';
import { Watchdog } from './watchdog';

export interface TransportOptions {
  dir: string;
  rank: number;
  worldSize: number;
  /** Longest wait, for the group to form and for each round of a collective. */
  timeoutMs: number;
  runId: string | null;
  livenessPollMs: number;
}

/** What a rank announces on each round; all ranks must announce the same. */
export interface RoundTag {
  op: number;
  length: number;
  phase: number;
  aux: number;
}

/** Reads of more than this are split: Node refuses single reads and writes of 2 GiB or more. */
const MAX_IO_BYTES = 1 << 30;

export class ShmTransport {
  readonly peers: readonly number[];
  private round = 0;
  private parityCounter = 0;
  private readonly pending: Message[] = [];
  private scratchBuffer = new Float32Array(0);
  private callNumber = 0;
  private callOp = '';
  private closed = false;
  private readonly exitHook = (): void => this.close();

  private constructor(
    readonly rank: number,
    readonly worldSize: number,
    readonly dir: string,
    private readonly paths: RankPaths,
    private readonly ownBufferFds: readonly [number, number],
    private readonly peerBufferFds: readonly (readonly [number, number] | undefined)[],
    private readonly mailbox: Mailbox,
    /** Every descriptor this rank opened, closed by close(). */
    private readonly fds: readonly number[],
    private readonly watchdog: Watchdog,
    readonly pids: readonly number[],
    public timeoutMs: number,
  ) {
    this.peers = Array.from({ length: worldSize }, (_, r) => r).filter((r) => r !== rank);
    // A worker that exits without close() should not leave its FIFO and buffers behind.
    process.once('exit', this.exitHook);
  }

  /** Joins the group: publishes this rank, waits for the others, and exchanges a first message with each. */
  static open(o: TransportOptions): ShmTransport {
    fs.mkdirSync(o.dir, { recursive: true });
    const paths = rankPaths(o.dir, o.rank);
    createOwnFiles(paths);
    const opened: number[] = [];
    const open = (p: string, flags: number | string): number => {
      const fd = fs.openSync(p, flags);
      opened.push(fd);
      return fd;
    };
    let watchdog: Watchdog | undefined;
    let t: ShmTransport | undefined;
    try {
      const ownFifo = open(paths.fifo, fs.constants.O_RDWR);
      const ownBuffers: [number, number] = [open(paths.buffers[0], 'r+'), open(paths.buffers[1], 'r+')];
      publishRank(paths, { format: 'clipwb-dist/1', runId: o.runId, rank: o.rank, worldSize: o.worldSize, pid: process.pid });
      const pids = awaitPeers(o);
      const peerFifos: (number | undefined)[] = [];
      const peerBuffers: ([number, number] | undefined)[] = [];
      for (let r = 0; r < o.worldSize; r++) {
        if (r === o.rank) {
          peerFifos.push(undefined);
          peerBuffers.push(undefined);
          continue;
        }
        const p = rankPaths(o.dir, r);
        peerFifos.push(open(p.fifo, fs.constants.O_RDWR));
        peerBuffers.push([open(p.buffers[0], 'r'), open(p.buffers[1], 'r')]);
      }
      watchdog = new Watchdog(paths.fifo, pids, o.livenessPollMs);
      t = new ShmTransport(o.rank, o.worldSize, o.dir, paths, ownBuffers, peerBuffers,
        new Mailbox(ownFifo, peerFifos), opened, watchdog, pids, o.timeoutMs);
      t.beginCall(Op.join);
      t.exchange({ op: Op.join, length: o.worldSize, phase: 0, aux: 0 }, t.peers, t.peers);
      t.callNumber = 0; // the user's first collective is call #1
      return t;
    } catch (err) {
      if (t) {
        t.close();
      } else {
        watchdog?.stop();
        for (const fd of opened) fs.closeSync(fd);
        removeOwnFiles(paths);
      }
      throw err;
    }
  }

  /** Numbers the collective calls, for error messages. */
  beginCall(op: number): void {
    this.callNumber++;
    this.callOp = opName(op);
  }

  /** The buffer file (0 or 1) that the next data-moving step uses; every rank must call this in step. */
  nextParity(): 0 | 1 {
    const p = (this.parityCounter & 1) as 0 | 1;
    this.parityCounter++;
    return p;
  }

  /** A float scratch array of at least `length` elements, reused across calls. */
  scratch(length: number): Float32Array {
    if (this.scratchBuffer.length < length) this.scratchBuffer = new Float32Array(length);
    return this.scratchBuffer.subarray(0, length);
  }

  writeOwn(parity: 0 | 1, bytes: Uint8Array, fileOffset: number): void {
    const fd = this.ownBufferFds[parity];
    let done = 0;
    while (done < bytes.length) {
      done += fs.writeSync(fd, bytes, done, Math.min(MAX_IO_BYTES, bytes.length - done), fileOffset + done);
    }
  }

  readPeer(peer: number, parity: 0 | 1, into: Uint8Array, fileOffset: number): void {
    const fds = this.peerBufferFds[peer];
    if (!fds) throw new Error(`rank ${this.rank} has no buffer of rank ${peer}`);
    let done = 0;
    while (done < into.length) {
      const n = fs.readSync(fds[parity], into, done, Math.min(MAX_IO_BYTES, into.length - done), fileOffset + done);
      if (n === 0) {
        throw new Error(`rank ${this.rank}: the buffer file of rank ${peer} ended early (${fileOffset + done} bytes); ` +
          `was ${this.dir} removed or truncated during the run?`);
      }
      done += n;
    }
  }

  /**
   * One round: tells `to` that this rank reached it (with its tag), then blocks until every rank in
   * `from` said the same. Throws on a different tag, a timeout, or a dead peer.
   */
  exchange(tag: RoundTag, to: readonly number[], from: readonly number[]): void {
    const round = this.round;
    this.round = (round + 1) | 0;
    const mine: Message = { sender: this.rank, round, ...tag };
    for (const p of to) this.mailbox.send(p, mine);
    const awaiting = new Set(from);
    for (let i = 0; i < this.pending.length; ) {
      const m = this.pending[i]!;
      if (m.round === round) {
        this.pending.splice(i, 1);
        this.accept(m, tag, awaiting);
      } else {
        i++;
      }
    }
    if (awaiting.size === 0) return;
    const started = Date.now();
    let gen = this.watchdog.arm(awaiting, this.timeoutMs);
    try {
      while (awaiting.size > 0) {
        const m = this.mailbox.receive();
        if (m.sender === WATCHDOG_SENDER) {
          if (m.round !== gen) continue; // a wake-up meant for an earlier wait
          if (m.op === Wake.timeout) throw this.timeoutError(awaiting, Date.now() - started);
          const dead = [...awaiting].filter((r) => !isProcessAlive(this.pids[r]!));
          if (dead.length > 0) throw this.deadError(dead);
          // The peer that exited had already sent what this wait needed (it was still in the pipe).
          gen = this.watchdog.arm(awaiting, Math.max(0, this.timeoutMs - (Date.now() - started)));
          continue;
        }
        if (m.sender < 0 || m.sender >= this.worldSize || m.sender === this.rank) {
          throw new Error(`rank ${this.rank}: control message from invalid rank ${m.sender}`);
        }
        const ahead = (m.round - round) | 0;
        if (ahead > 0) this.pending.push(m);
        else if (ahead === 0) this.accept(m, tag, awaiting);
        else throw new Error(`rank ${this.rank}: stale control message from rank ${m.sender} (round ${m.round}, now ${round})`);
      }
    } finally {
      this.watchdog.disarm();
    }
  }

  private accept(m: Message, mine: RoundTag, awaiting: Set<number>): void {
    if (!awaiting.has(m.sender)) {
      throw new Error(`rank ${this.rank}: unexpected control message from rank ${m.sender} in ${this.callOp} (call #${this.callNumber})`);
    }
    if (m.op !== mine.op || m.length !== mine.length || m.aux !== mine.aux || m.phase !== mine.phase) {
      throw new CollectiveError('mismatch', [m.sender], `collective mismatch at call #${this.callNumber}: rank ` +
        `${this.rank} called ${describe(mine)} but rank ${m.sender} called ${describe(m)}. Every rank must make the ` +
        'same collective calls in the same order, with arrays of the same length (and the same root).');
    }
    awaiting.delete(m.sender);
    this.watchdog.arrived(m.sender);
  }

  private timeoutError(awaiting: Set<number>, waitedMs: number): CollectiveError {
    const missing = [...awaiting].sort((a, b) => a - b);
    const who = missing.map((r) => `${r} (pid ${this.pids[r]})`).join(', ');
    return new CollectiveError('timeout', missing, `rank ${this.rank}: ${this.callOp} (call #${this.callNumber}) ` +
      `timed out after ${waitedMs} ms waiting for rank${missing.length > 1 ? 's' : ''} ${who}, alive but ` +
      'not in this collective. Check that every rank makes the same calls, or raise the timeout ' +
      'if one rank is legitimately slower (loading a model, evaluating).');
  }

  private deadError(dead: number[]): CollectiveError {
    const who = dead.map((r) => `${r} (pid ${this.pids[r]})`).join(', ');
    return new CollectiveError('peer-died', dead, `rank ${this.rank}: rank${dead.length > 1 ? 's' : ''} ${who} ` +
      `exited while this rank waited in ${this.callOp} (call #${this.callNumber}). See that rank's log for the cause.`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    process.removeListener('exit', this.exitHook);
    this.watchdog.stop();
    for (const fd of this.fds) {
      try {
        fs.closeSync(fd);
      } catch {
        // Already closed; nothing to release.
      }
    }
    removeOwnFiles(this.paths);
  }
}

function describe(t: RoundTag): string {
  const root = t.op === Op.broadcast || t.op === Op.broadcastInt ? ` from root ${t.aux}` : '';
  const phase = t.phase !== 0 ? ` (step ${t.phase})` : '';
  return `${opName(t.op)} of ${t.length} element${t.length === 1 ? '' : 's'}${root}${phase}`;
}
