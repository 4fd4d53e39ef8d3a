/**
 * The training options table (flags, help, defaults) from `options.list`, fetched once and shared: the
 * config view uses it to show each key's flag and help and to mark values that differ from the default.
 */
import type { ApiOutputs } from '../../src-shared/api/contract';
import type { OptionInfo } from '../../src-shared/api/types';
import { client } from './client';

let cached: Promise<ApiOutputs['options.list']> | null = null;

export function loadOptions(): Promise<ApiOutputs['options.list']> {
  if (!cached) {
    cached = client().call('options.list', {});
    // A failed fetch is retried next time instead of being cached.
    cached.catch(() => { cached = null; });
  }
  return cached;
}

export function optionsByKey(options: readonly OptionInfo[]): Map<string, OptionInfo> {
  return new Map(options.map((o) => [o.key, o]));
}
