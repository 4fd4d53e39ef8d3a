/**
 * What the review step shows as the equivalent `clipwb train` command. The command is the server's
 * (runs.validate builds it from the same option table as the CLI); the wizard only decides whether the
 * last answer still describes what is on screen.
 */
import type { ValidationResult } from '../../../src-shared/api/types';

export interface ValidationSnapshot { signature: string; result: ValidationResult }

export type PreviewState = 'current' | 'checking' | 'invalid';

export function commandPreview(currentSignature: string, last: ValidationSnapshot | null, localErrorCount: number): { command: string | null; state: PreviewState } {
  if (localErrorCount > 0) return { command: null, state: 'invalid' };
  if (!last || last.signature !== currentSignature) return { command: last?.result.command ?? null, state: 'checking' };
  if (!last.result.ok) return { command: null, state: 'invalid' };
  return { command: last.result.command, state: 'current' };
}

/** The command on one line, for pasting where line continuations are awkward (a chat, a YAML field). */
export function singleLineCommand(command: string): string {
  return command.replace(/\s*\\\n\s*/g, ' ').trim();
}
