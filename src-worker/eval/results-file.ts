/**
 * DataComp's per-checkpoint results file, `eval_results/epoch_N_eval_results.jsonl`: one JSON object per
 * task, `{"key", "dataset", "metrics": {..., "main_metric"}}`, appended as each task finishes, re-read to
 * skip finished tasks. Lines are written with Python's json.dumps separators, so files from either tool
 * read the same; Python's bare NaN / Infinity are accepted on reading (as null).
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, statSync, truncateSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { WorkbenchError } from '../../src-shared/errors';

export interface TaskResultLine {
  key: string;
  dataset: string;
  metrics: Record<string, unknown> & { main_metric: number | null };
}

export interface ResultsFileContents {
  /** Lines in file order; a task evaluated twice appears twice (the last one counts). */
  lines: TaskResultLine[];
  /** Bytes of a last line cut off mid-write (a crash during an append), to be dropped before appending. */
  partialTailBytes: number;
  /** The file's last complete line has no newline after it. */
  missingFinalNewline: boolean;
}

export function epochResultsFile(trainOutputDir: string, epoch: number): string {
  if (!Number.isInteger(epoch) || epoch < 0) throw new Error(`epoch must be a non-negative integer, got ${epoch}`);
  return join(trainOutputDir, 'eval_results', `epoch_${epoch}_eval_results.jsonl`);
}

/** json.dumps with its default separators (", " and ": "); non-finite numbers become null. */
export function toPythonJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : 'null';
  if (Array.isArray(value)) return `[${value.map(toPythonJson).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${JSON.stringify(k)}: ${toPythonJson(v)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value);
}

export function formatResultLine(line: TaskResultLine): string {
  return toPythonJson({ key: line.key, dataset: line.dataset, metrics: line.metrics });
}

/** Python writes NaN / Infinity / -Infinity bare; JSON.parse does not accept them. */
function parsePythonJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return JSON.parse(text.replace(/([:,[]\s*)(?:NaN|-?Infinity)(?=\s*[,}\]])/g, '$1null'));
  }
}

function toResultLine(value: unknown): TaskResultLine | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const v = value as Record<string, unknown>;
  if (typeof v.key !== 'string' || v.key.length === 0) return 'no "key" string';
  if (typeof v.dataset !== 'string') return 'no "dataset" string';
  if (typeof v.metrics !== 'object' || v.metrics === null || Array.isArray(v.metrics)) return 'no "metrics" object';
  const metrics = v.metrics as Record<string, unknown>;
  const main = metrics.main_metric;
  if (main !== undefined && main !== null && typeof main !== 'number') return '"metrics.main_metric" is neither a number nor null';
  return { key: v.key, dataset: v.dataset, metrics: { ...metrics, main_metric: typeof main === 'number' ? main : null } };
}

export function parseResultsText(text: string, origin: string): ResultsFileContents {
  const lines: TaskResultLine[] = [];
  const parts = text.split('\n');
  // After the last newline: empty for a well-formed file.
  const tail = parts.pop() ?? '';
  parts.forEach((raw, i) => {
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = parsePythonJson(raw);
    } catch (err) {
      throw new WorkbenchError(`${origin} line ${i + 1} is not valid JSON (${(err as Error).message}); fix or delete that line, or delete the file to evaluate every task again`, { kind: 'invalid', field: origin });
    }
    const line = toResultLine(value);
    if (typeof line === 'string') throw new WorkbenchError(`${origin} line ${i + 1}: ${line}; fix or delete that line`, { kind: 'invalid', field: origin });
    lines.push(line);
  });
  let partialTailBytes = 0;
  let missingFinalNewline = false;
  if (tail.trim() !== '') {
    let line: TaskResultLine | string | undefined;
    try {
      line = toResultLine(parsePythonJson(tail));
    } catch {
      line = undefined;
    }
    if (line === undefined || typeof line === 'string') partialTailBytes = Buffer.byteLength(tail);
    else {
      lines.push(line);
      missingFinalNewline = true;
    }
  }
  return { lines, partialTailBytes, missingFinalNewline };
}

export function readResultsFile(path: string): ResultsFileContents {
  if (!existsSync(path)) return { lines: [], partialTailBytes: 0, missingFinalNewline: false };
  return parseResultsText(readFileSync(path, 'utf8'), path);
}

/** Drops a half-written last line so the next append starts on a line of its own. Returns the bytes dropped. */
export function repairResultsFile(path: string, contents: ResultsFileContents): number {
  const dropped = contents.partialTailBytes;
  if (dropped === 0) return 0;
  truncateSync(path, statSync(path).size - dropped);
  contents.partialTailBytes = 0;
  return dropped;
}

/** Appends one task's line in a single write, flushed to disk, so a crash leaves whole lines behind. */
export function appendResultLine(path: string, line: TaskResultLine, options: { leadingNewline?: boolean } = {}): void {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'a');
  try {
    writeSync(fd, `${options.leadingNewline ? '\n' : ''}${formatResultLine(line)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The last line of each task key, in order of first appearance. */
export function latestByKey(lines: readonly TaskResultLine[]): Map<string, TaskResultLine> {
  const byKey = new Map<string, TaskResultLine>();
  for (const line of lines) byKey.set(line.key, line);
  return byKey;
}
