/**
 * While the main thread is blocked reading its FIFO it cannot look at a clock or at its peers, so a
 * worker thread does it: every `pollMs` it checks the deadline of the current wait and whether the peers
 * still awaited are alive, and if not it writes a wake-up message into the rank's own FIFO. The main
 * thread then returns from read() and throws an error that names the ranks.
 *
 * The thread runs plain JavaScript given as a string (no TypeScript loader or bundler involvement), so it
 * works the same under tsx, vitest and a bundled Electron build.
 */
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { MAGIC, WATCHDOG_SENDER, Wake } from './protocol';

const STOP = 0;
const ARMED = 1;
const GEN = 2;
const TICK = 3;
const AWAITING = 4;

const WATCHDOG_SOURCE = `
const fs = require('node:fs');
const { workerData } = require('node:worker_threads');
const { state, deadline, fd, pids, pollMs, magic, sender, wakeTimeout, wakePeerGone } = workerData;
function alive(pid) {
  try { process.kill(pid, 0); } catch (err) { if (err && err.code === 'ESRCH') return false; }
  try {
    const stat = fs.readFileSync('/proc/' + pid + '/stat', 'utf8');
    const s = stat.charAt(stat.lastIndexOf(')') + 2);
    if (s === 'Z' || s === 'X') return false;
  } catch (err) { /* no /proc: trust kill() */ }
  return true;
}
const msg = new Int32Array(8);
let firedGen = null;
while (Atomics.load(state, ${STOP}) === 0) {
  Atomics.wait(state, ${TICK}, 0, pollMs);
  if (Atomics.load(state, ${STOP}) !== 0) break;
  if (Atomics.load(state, ${ARMED}) !== 1) continue;
  const gen = Atomics.load(state, ${GEN});
  if (gen === firedGen) continue;
  let reason = 0;
  let who = -1;
  for (let r = 0; r < pids.length; r++) {
    if (Atomics.load(state, ${AWAITING} + r) === 1 && !alive(pids[r])) { reason = wakePeerGone; who = r; break; }
  }
  if (reason === 0 && Date.now() > Number(Atomics.load(deadline, 0))) reason = wakeTimeout;
  if (reason === 0) continue;
  msg[0] = magic; msg[1] = sender; msg[2] = gen; msg[3] = reason; msg[4] = 0; msg[5] = 0; msg[6] = 0; msg[7] = who;
  try { fs.writeSync(fd, msg); } catch (err) { /* fd closed during close(): nothing left to wake */ }
  firedGen = gen;
}
`;

export class Watchdog {
  private readonly state: Int32Array;
  private readonly deadline: BigInt64Array;
  private readonly worker: Worker;
  private readonly wakeFd: number;
  private gen = 0;

  /**
   * @param fifoPath this rank's own FIFO; the watchdog writes through its own descriptor, closed only
   *   after the thread ended, so a late wake-up can never land in a file that reused a closed number
   * @param pids process id of every rank, indexed by rank (this rank's own is never awaited)
   */
  constructor(fifoPath: string, pids: readonly number[], pollMs: number) {
    this.wakeFd = fs.openSync(fifoPath, fs.constants.O_RDWR);
    this.state = new Int32Array(new SharedArrayBuffer(4 * (AWAITING + pids.length)));
    this.deadline = new BigInt64Array(new SharedArrayBuffer(8));
    this.worker = new Worker(WATCHDOG_SOURCE, {
      eval: true,
      workerData: {
        state: this.state,
        deadline: this.deadline,
        fd: this.wakeFd,
        pids: [...pids],
        pollMs,
        magic: MAGIC,
        sender: WATCHDOG_SENDER,
        wakeTimeout: Wake.timeout,
        wakePeerGone: Wake.peerGone,
      },
    });
    // The watchdog must never keep a finished worker process alive.
    this.worker.unref();
  }

  /** Starts watching a wait; returns its generation, which the wake-ups for it carry. */
  arm(awaiting: Iterable<number>, timeoutMs: number): number {
    Atomics.store(this.state, ARMED, 0);
    for (let i = AWAITING; i < this.state.length; i++) Atomics.store(this.state, i, 0);
    for (const r of awaiting) Atomics.store(this.state, AWAITING + r, 1);
    Atomics.store(this.deadline, 0, BigInt(Math.round(Date.now() + timeoutMs)));
    this.gen = (this.gen + 1) | 0;
    Atomics.store(this.state, GEN, this.gen);
    Atomics.store(this.state, ARMED, 1);
    return this.gen;
  }

  arrived(rank: number): void {
    Atomics.store(this.state, AWAITING + rank, 0);
  }

  disarm(): void {
    Atomics.store(this.state, ARMED, 0);
  }

  stop(): void {
    Atomics.store(this.state, STOP, 1);
    Atomics.notify(this.state, TICK);
    const fd = this.wakeFd;
    void this.worker.terminate().finally(() => fs.closeSync(fd));
  }
}
