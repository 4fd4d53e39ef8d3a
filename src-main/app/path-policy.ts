/**
 * Which paths an API client may name. The API is reachable by anyone holding the web mode's token, so a
 * path it receives is checked with every symlink resolved:
 *
 * - places the workbench writes (run folders given as `logs`, download destinations) must lie inside
 *   the data folder;
 * - inputs it only reads (data sets, checkpoints, model configs, vocabularies) may lie anywhere the user
 *   keeps them, except the kernel's pseudo-filesystems (/proc, /sys, /dev), which hold no data set and
 *   whose files describe the machine.
 *
 * The CLI is not subject to this: a user at a shell already owns every path the shell can reach.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../src-shared/api/contract';

const PSEUDO_FILESYSTEMS = ['/proc', '/sys', '/dev'];

/** realpath of the longest existing prefix of `p`, with the rest appended (for paths not created yet). */
export function resolveThroughLinks(p: string): string {
  const abs = path.resolve(p);
  const rest: string[] = [];
  let head = abs;
  for (;;) {
    try {
      return path.join(fs.realpathSync(head), ...rest.reverse());
    } catch {
      const parent = path.dirname(head);
      if (parent === head) return abs;
      rest.push(path.basename(head));
      head = parent;
    }
  }
}

function isWithin(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

/** `p` resolved, if it lies strictly inside `root` once links are followed; otherwise a 400 naming the field. */
export function requireInside(root: string, p: string, field: string, what: string): string {
  const realRoot = resolveThroughLinks(root);
  const real = resolveThroughLinks(p);
  if (real === realRoot || !isWithin(realRoot, real)) {
    throw new ApiError(400, `${field}: ${what} must be inside ${root}${real !== path.resolve(p) ? ` (${p} leads to ${real})` : ''}`, field);
  }
  return real;
}

/** Refuses an input path that resolves into /proc, /sys or /dev. */
export function refusePseudoFilesystem(p: string, field: string): void {
  const real = resolveThroughLinks(p);
  if (PSEUDO_FILESYSTEMS.some((root) => isWithin(root, real))) {
    throw new ApiError(400, `${field}: ${p} is in ${real.split(path.sep).slice(0, 2).join(path.sep)}, which holds no data; give a folder or file of your own`, field);
  }
}

/** The path-valued fields of a training config that the API checks, with the rule for each. */
export function checkConfigPaths(dataDir: string, c: { logs?: string | null; model?: string | null; distillModel?: string | null; vocab?: string | null; trainData?: string | null; initCheckpoint?: string | null; distillPretrained?: string | null }): void {
  if (c.logs) requireInside(dataDir, c.logs, 'logs', 'the folder for run outputs');
  const inputs: [string, string | null | undefined][] = [
    ['model', c.model], ['distill-model', c.distillModel], ['vocab', c.vocab], ['train-data', c.trainData],
    ['init-checkpoint', c.initCheckpoint], ['distill-pretrained', c.distillPretrained],
  ];
  for (const [field, value] of inputs) {
    if (value && (value.startsWith('/') || value.startsWith('.'))) refusePseudoFilesystem(value.replace(/\{.*$/, ''), field);
  }
}
