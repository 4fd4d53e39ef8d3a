/**
 * The one error type the collectives throw, so a caller (the training loop, the launcher reading a
 * worker's last words) can tell a slow or dead peer from a programming mistake without parsing text.
 */
import { WorkbenchError } from '../../src-shared/errors';

export type CollectiveFailure =
  /** A rank did not join the group in time, or joined with different settings. */
  | 'join'
  /** A peer did not reach the same collective within the timeout. */
  | 'timeout'
  /** A peer process exited while this rank waited for it. */
  | 'peer-died'
  /** Ranks called different collectives, or the same one with different lengths or roots. */
  | 'mismatch'
  /** Bad arguments on this rank (wrong type, root out of range). */
  | 'invalid-argument'
  /** The communicator was closed, or an earlier failure left it unusable. */
  | 'closed';

export class CollectiveError extends WorkbenchError {
  override readonly name = 'CollectiveError';
  constructor(
    readonly failure: CollectiveFailure,
    /** The ranks at fault (missing, dead, or disagreeing); empty when none is known. */
    readonly ranks: readonly number[],
    message: string,
  ) {
    super(message, { kind: 'internal' });
  }
}
