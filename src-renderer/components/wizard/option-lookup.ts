/**
 * Finds a training option by whatever name an error or a preset uses for it: the config key
 * (`batchSize`), the reference paper's flag (`batch-size`, `lr_tau`), with dashes (`--lr_tau`), or a zod path
 * (`config.lr`). The server's errors use all of these, so the wizard must accept them all.
 */
import type { OptionInfo } from '../../../src-shared/api/types';
// The option table's own spelling rules (pure, meant for the renderer too); the options come from the API.
import { normaliseFlag } from '../../../src-shared/config/options';

export interface OptionIndex {
  readonly options: readonly OptionInfo[];
  byKey(key: string): OptionInfo | undefined;
  /** The option an error's `field` names, or undefined when it names none (e.g. `config`). */
  find(field: string): OptionInfo | undefined;
}

export function indexOptions(options: readonly OptionInfo[]): OptionIndex {
  const keys = new Map(options.map((o) => [o.key, o]));
  const flags = new Map(options.map((o) => [normaliseFlag(o.flag), o]));
  return {
    options,
    byKey: (key) => keys.get(key),
    find(field) {
      const name = field.trim().replace(/^config\./, '');
      return keys.get(name) ?? flags.get(normaliseFlag(name));
    },
  };
}
