/**
 * Static GPU facts (name, memory, compute capability, driver, PCI bus) from one nvidia-smi query, for
 * `clipwb doctor` and the run wizard. Old drivers reject `compute_cap` and fail the whole query, so
 * the query is repeated without it and the capability guessed from the name (marked as a guess).
 */
import { findExecutable } from './find-executable';
import { guessComputeCapability } from './compute-capability';
import { runCommand } from './run-command';
import { describeSmiFailure } from './smi-failure';
import { parseGpuStatic } from './smi-parse';
import { STATIC_FIELDS, STATIC_FIELDS_LEGACY, staticQueryArgs } from './smi-queries';
import type { GpuStaticInfo, SmiParseProblem } from './types';

export interface StaticGpu extends GpuStaticInfo {
  /** Where computeCapability came from: nvidia-smi, or a guess from the GPU's name. */
  computeCapabilitySource: 'nvidia-smi' | 'name' | 'unknown';
}

export type GpuStaticQueryResult =
  | { state: 'ok'; smiPath: string; gpus: StaticGpu[]; problems: SmiParseProblem[] }
  | { state: 'no-gpu'; reason: string }
  | { state: 'error'; reason: string };

export async function queryGpuStatic(
  options: { env?: NodeJS.ProcessEnv; smiPath?: string; timeoutMs?: number } = {},
): Promise<GpuStaticQueryResult> {
  const env = options.env ?? process.env;
  const smiPath = await findExecutable(options.smiPath ?? 'nvidia-smi', env);
  if (!smiPath) return { state: 'no-gpu', reason: 'nvidia-smi was not found on PATH: no NVIDIA driver is installed.' };
  const run = (legacy: boolean) => runCommand(smiPath, staticQueryArgs(legacy), { env, timeoutMs: options.timeoutMs ?? 15_000 });

  let legacy = false;
  let result = await run(false);
  if (result.code !== 0 && /"compute_cap" is not a valid field/i.test(result.stdout + result.stderr)) {
    legacy = true;
    result = await run(true);
  }
  if (result.timedOut) return { state: 'error', reason: `nvidia-smi did not answer within ${(options.timeoutMs ?? 15_000) / 1000} s.` };
  if (result.code !== 0) {
    const failure = describeSmiFailure(result.code, null, result.stdout + result.stderr, result.error);
    return failure.noGpu ? { state: 'no-gpu', reason: failure.message } : { state: 'error', reason: failure.message.replace(/; restarting it\.$/, '.') };
  }
  const parsed = parseGpuStatic(result.stdout, legacy ? STATIC_FIELDS_LEGACY : STATIC_FIELDS);
  const gpus = parsed.rows.map((g): StaticGpu => {
    if (g.computeCapability !== null) return { ...g, computeCapabilitySource: 'nvidia-smi' };
    const guess = guessComputeCapability(g.name);
    return { ...g, computeCapability: guess, computeCapabilitySource: guess ? 'name' : 'unknown' };
  });
  return { state: 'ok', smiPath, gpus, problems: parsed.problems };
}
