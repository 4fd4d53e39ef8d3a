/**
 * What keeps K worker processes in step outside the collectives of a training step.
 *
 * - Stop and checkpoint requests arrive at each worker over its own IPC channel, so two ranks can see
 *   a pause at different steps; one would then stop while the other waits in the next collective for
 *   it (and a pause would end in a peer-died error without its checkpoint). Rank 0's view is
 *   broadcast after every step, and every rank acts on it.
 * - Rank 0 alone writes checkpoints and evaluates; the other ranks wait for it at a barrier with a long
 *   timeout rather than in the next step's all-gather, whose timeout is meant for a step (an evaluation
 *   of ImageNet on a CPU takes far longer than that). A dead rank 0 is still detected at once by the
 *   communicator's watchdog.
 */
import type { Communicator, GroupCommunicator } from '../dist/communicator';
import { readDistEnv } from '../dist/env';
import { DEFAULT_TIMEOUT_MS } from '../dist/shm-communicator';

export type StopRequest = 'cancel' | 'pause' | null;

export interface StepControl {
  stop: StopRequest;
  checkpoint: boolean;
}

const STOP_CODES: readonly StopRequest[] = [null, 'pause', 'cancel'];

/** Rank 0's stop/checkpoint request, the same on every rank. */
export function agreeOnControl(comm: Communicator, local: StepControl): StepControl {
  if (comm.worldSize === 1) return local;
  const [stop, checkpoint] = comm.broadcastInt(Int32Array.of(STOP_CODES.indexOf(local.stop), local.checkpoint ? 1 : 0), 0);
  return { stop: STOP_CODES[stop ?? 0] ?? null, checkpoint: checkpoint === 1 };
}

/** How long the other ranks wait for rank 0's checkpoint or evaluation: a day. */
export const MAIN_WORK_TIMEOUT_MS = 24 * 3600_000;

/** Every rank calls this after a phase in which rank 0 works alone; returns when rank 0 has finished it. */
export function waitForMainRank(comm: Communicator): void {
  if (comm.worldSize === 1) return;
  const group = comm as Partial<GroupCommunicator>;
  group.setTimeoutMs?.(MAIN_WORK_TIMEOUT_MS);
  try {
    comm.barrier();
  } finally {
    group.setTimeoutMs?.(readDistEnv()?.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  }
}
