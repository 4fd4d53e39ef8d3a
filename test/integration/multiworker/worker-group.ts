/**
 * Starts a training job as real worker processes through the launcher the run service uses
 * (src-main/runs/launcher.ts: fork of src-worker/main.ts with the dist environment for K > 1), and
 * collects every message and exit.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkerGroup, type WorkerExit } from '../../../src-main/runs/launcher';
import type { WorkerToMain } from '../../../src-worker/protocol';
import { parseTrainArgs } from '../../../src-shared/config/train-config';

export interface GroupOutcome {
  messages: { rank: number; msg: WorkerToMain; at: number }[];
  exits: (WorkerExit & { at: number })[];
  protocolErrors: string[];
}

export interface StartedGroup {
  group: WorkerGroup;
  outcome: GroupOutcome;
  /** Resolves when every worker has exited. */
  finished: Promise<GroupOutcome>;
}

export function startGroup(o: {
  args: string[];
  worldSize: number;
  outDir: string;
  resumeFrom?: string | null;
  onMessage?: (rank: number, msg: WorkerToMain, group: WorkerGroup) => void;
}): StartedGroup {
  const { config } = parseTrainArgs([...o.args, '--nproc', String(o.worldSize)]);
  fs.mkdirSync(o.outDir, { recursive: true });
  const outcome: GroupOutcome = { messages: [], exits: [], protocolErrors: [] };
  let resolve!: (v: GroupOutcome) => void;
  const finished = new Promise<GroupOutcome>((r) => { resolve = r; });
  const group: WorkerGroup = new WorkerGroup({
    job: {
      kind: 'train', runId: path.basename(o.outDir), outDir: o.outDir, dataDir: path.join(o.outDir, '..', 'data'),
      config: { ...config }, resumeFrom: o.resumeFrom ?? null,
    },
    devices: Array.from({ length: o.worldSize }, () => ({ kind: 'cpu' as const })),
    cudaCacheDir: path.join(os.tmpdir(), 'clipwb-test-cuda-cache'),
  }, {
    onMessage: (rank, msg) => {
      outcome.messages.push({ rank, msg, at: Date.now() });
      o.onMessage?.(rank, msg, group);
    },
    onProtocolError: (rank, err) => { outcome.protocolErrors.push(`rank ${rank}: ${err.message}`); },
    onExit: (exit) => {
      outcome.exits.push({ ...exit, at: Date.now() });
      if (outcome.exits.length === o.worldSize) resolve(outcome);
    },
  });
  return { group, outcome, finished };
}

/** What each rank said last: its `done` summary or its `error`. */
export function endOf(outcome: GroupOutcome, rank: number): { done?: Record<string, unknown>; error?: { name: string; message: string; field?: string } } {
  const mine = outcome.messages.filter((m) => m.rank === rank);
  const error = mine.map((m) => m.msg).find((m): m is Extract<WorkerToMain, { type: 'error' }> => m.type === 'error');
  const done = doneSummaries(outcome).get(rank);
  return { ...(done ? { done } : {}), ...(error ? { error: { name: error.name, message: error.message, field: error.field } } : {}) };
}

/** `done` messages carry no rank field; the launcher's callback does. */
export function doneSummaries(outcome: GroupOutcome): Map<number, Record<string, unknown>> {
  const out = new Map<number, Record<string, unknown>>();
  for (const m of outcome.messages) if (m.msg.type === 'done') out.set(m.rank, m.msg.summary);
  return out;
}
