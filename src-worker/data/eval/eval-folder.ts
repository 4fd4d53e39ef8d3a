/**
 * Validation of an evaluation folder (layouts in ../EVAL-LAYOUT.md) before anything is decoded:
 * the text files, `test/nshards.txt` against the tar files present, and every sample's label or
 * captions (read from the tars without reading image bytes). Each error names the file to fix.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { checkEvalSample, EVAL_TEXT_EXTENSIONS, hasEvalImage } from '../samples/eval-sample';
import { readShardSamples } from '../samples/shard-samples';
import { WorkbenchError, type ErrorKind } from '../../../src-shared/errors';

const PRESENT = Buffer.from([0]);

/**
 * An evaluation set that cannot be used, or named wrongly: the one error for eval sets, here (reading a
 * folder) and in src-main (which sets to download). `field` is the file at fault, or the flag/API field.
 */
export class EvalSetError extends WorkbenchError {
  constructor(message: string, field: string, kind: ErrorKind = 'invalid') {
    super(message, { kind, field });
    this.name = 'EvalSetError';
  }
}

export type EvalSetKind = 'classification' | 'retrieval';

/**
 * The kind of an eval folder: `dataset_type.txt` when present (it always wins); otherwise the kind the
 * caller knows from the task list (`hint`); otherwise by content: class files mean classification, and
 * shards whose first sample carries captions but no class mean retrieval. CLIP_benchmark's default,
 * classification, is what is left.
 */
export function detectKind(dir: string, hint?: EvalSetKind): EvalSetKind {
  assertDir(dir);
  const file = path.join(dir, 'dataset_type.txt');
  if (!existsSync(file)) {
    if (hint) return hint;
    if (existsSync(path.join(dir, 'classnames.txt'))) return 'classification';
    return firstSampleHasCaptions(path.join(dir, 'test', '0.tar')) ? 'retrieval' : 'classification';
  }
  const type = readFileSync(file, 'utf8').trim().toLowerCase();
  if (type === 'retrieval') return 'retrieval';
  if (type === 'classification' || type === '') return 'classification';
  throw new EvalSetError(`${file} says "${type}"; supported dataset types are classification (the default) and retrieval`, file);
}

/** Peeks at the member names of the first sample of a tar (headers only, first 256 KiB). */
function firstSampleHasCaptions(tar: string): boolean {
  let head: Buffer;
  try {
    const fd = openSync(tar, 'r');
    try {
      head = Buffer.alloc(256 * 1024);
      head = head.subarray(0, readSync(fd, head, 0, head.length, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
  const exts = new Set<string>();
  let key: string | null = null;
  for (let at = 0; at + 512 <= head.length; ) {
    const name = head.toString('utf8', at, at + 100).replace(/\0.*$/s, '');
    if (name === '') break;
    const size = parseInt(head.toString('ascii', at + 124, at + 136).replace(/\0.*$/s, '').trim() || '0', 8);
    const type = String.fromCharCode(head[at + 156] ?? 0x30);
    if (type === '0' || type === '\0') {
      const base = path.posix.basename(name);
      const dot = base.indexOf('.');
      const k = dot < 0 ? base : base.slice(0, dot);
      if (key !== null && k !== key) break;
      key = k;
      if (dot >= 0) exts.add(base.slice(dot + 1).toLowerCase());
    }
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return !exts.has('cls') && (exts.has('txt') || exts.has('json') || exts.has('captions.json'));
}

function assertDir(dir: string): void {
  let ok = false;
  try {
    ok = statSync(dir).isDirectory();
  } catch {
    ok = false;
  }
  if (!ok) throw new EvalSetError(`evaluation set folder ${dir} does not exist or is not a folder`, dir, 'not-found');
}

/** Non-empty lines of a text file, trimmed. */
export function readLines(file: string, what: string): string[] {
  if (!existsSync(file)) throw new EvalSetError(`missing ${path.basename(file)} (${what}) in ${path.dirname(file)}`, file);
  const lines = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  if (lines.length === 0) throw new EvalSetError(`${file} is empty; it must list ${what}, one per line`, file);
  return lines;
}

export function readTemplates(dir: string): string[] {
  const file = path.join(dir, 'zeroshot_classification_templates.txt');
  const templates = readLines(file, 'the zero-shot prompt templates, each containing {c}');
  const bad = templates.findIndex((t) => !t.includes('{c}'));
  if (bad >= 0) throw new EvalSetError(`${file} line "${templates[bad]}" has no {c} placeholder for the class name`, file);
  return templates;
}

/** The shard files `test/0.tar … test/{n-1}.tar` that `test/nshards.txt` announces, all checked present. */
export function listShards(dir: string): string[] {
  const testDir = path.join(dir, 'test');
  const file = path.join(testDir, 'nshards.txt');
  if (!existsSync(file)) throw new EvalSetError(`missing test/nshards.txt in ${dir} (it holds the number of test/<i>.tar shards)`, file);
  const text = readFileSync(file, 'utf8').trim();
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new EvalSetError(`${file} must hold a positive integer, found "${text.slice(0, 40)}"`, file);
  const n = Number(text);
  const present = new Set(readdirSync(testDir).filter((f) => /^\d+\.tar$/.test(f)));
  const expected = Array.from({ length: n }, (_, i) => `${i}.tar`);
  const missing = expected.filter((f) => !present.has(f));
  const extra = [...present].filter((f) => !expected.includes(f));
  if (missing.length > 0 || extra.length > 0) {
    const parts = [missing.length ? `missing ${missing.slice(0, 5).join(', ')}` : '', extra.length ? `unexpected ${extra.slice(0, 5).join(', ')}` : ''].filter(Boolean);
    throw new EvalSetError(`${file} says ${n} shard(s) but test/ does not match: ${parts.join('; ')}. Re-download the set or fix nshards.txt`, file);
  }
  return expected.map((f) => path.join(testDir, f));
}

export interface ScanResult {
  /** Samples per shard, in shard order. */
  perShard: number[];
  total: number;
  /** Retrieval: total number of captions. */
  captions: number;
}

/** Reads every sample's text members (not the images) and checks them; throws at the first problem. */
export async function scanEvalShards(shards: string[], mode: EvalSetKind, numClasses: number): Promise<ScanResult> {
  const perShard: number[] = [];
  let captions = 0;
  for (const shard of shards) {
    let count = 0;
    const problems: string[] = [];
    const samples = readShardSamples(shard, {
      onDefect: (kind, detail) => problems.push(`${kind}: ${detail}`),
      wantExtension: (ext) => EVAL_TEXT_EXTENSIONS.has(ext),
    });
    for await (const raw of samples) {
      // Image bytes are not read here; an empty stand-in tells the check that the member exists.
      const members = new Map(raw.members);
      for (const ext of raw.unread) if (hasEvalImage([ext]) && !members.has(ext)) members.set(ext, PRESENT);
      const check = checkEvalSample({ ...raw, members }, mode, numClasses);
      if (check.problem) throw new EvalSetError(`${shard}: sample ${raw.key}: ${check.problem}`, shard);
      count++;
      captions += check.captions?.length ?? 0;
    }
    if (problems.length > 0) throw new EvalSetError(`${shard} is damaged (${problems.slice(0, 3).join('; ')}); re-download it`, shard);
    perShard.push(count);
  }
  return { perShard, total: perShard.reduce((a, b) => a + b, 0), captions };
}
