/**
 * Tiny real training runs for the end-to-end tests, created through `runs.create` with the demo
 * preset's config and a small budget (30 steps, a log point every 2 steps, 2,048 samples), so one
 * finishes in well under a minute on 2 cores. Created once per server and found again by name, so any
 * test file may ask for them, in any order. The CPU runs one run at a time: the second one queues.
 */
import type { RunSummary } from '../../../src-shared/api/types';
import { apiOf } from './api';
import type { E2eServerInfo } from './global-setup';

export const BASELINE = 'e2e-baseline';
export const LOWER_LR = 'e2e-lower-lr';

type Call = ReturnType<typeof apiOf>;

export async function demoConfig(call: Call, over: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const { presets } = await call('options.list', {});
  const demo = presets.find((p) => p.name === 'demo');
  if (!demo) throw new Error('the demo preset is missing from options.list');
  return { ...demo.config, maxSteps: 30, logEveryNSteps: 2, trainNumSamples: 2048, ...over };
}

export async function createRun(call: Call, name: string, over: Record<string, unknown> = {}, tags: string[] = []): Promise<RunSummary> {
  return (await call('runs.create', { config: await demoConfig(call, over), name, tags })).run;
}

/** The two seed runs (created if this server does not have them yet). */
export async function seedRuns(server: E2eServerInfo): Promise<{ baseline: RunSummary; lowerLr: RunSummary }> {
  const call = apiOf(server);
  const { runs } = await call('runs.list', {});
  const byName = (n: string) => runs.find((r) => r.name === n);
  const baseline = byName(BASELINE) ?? (await createRun(call, BASELINE, {}, ['e2e']));
  const lowerLr = byName(LOWER_LR) ?? (await createRun(call, LOWER_LR, { lr: 1e-3, maxSteps: 20 }, ['e2e']));
  return { baseline, lowerLr };
}

export const isOver = (s: RunSummary['status']): boolean => ['finished', 'failed', 'cancelled'].includes(s);
