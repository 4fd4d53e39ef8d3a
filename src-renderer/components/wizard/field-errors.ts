/**
 * Puts the server's errors next to the fields they are about. An error's `field` may be a config key
 * (`lr`), the reference paper's flag (`lr_tau`, `distill-pretrained`), a flag with dashes, or a zod path
 * (`config.lr`); errors naming no option (the whole config, a preset) are shown at the top.
 */
import type { FieldError } from '../../../src-shared/api/types';
import type { OptionIndex } from './option-lookup';
import { stepOfKey, type StepId } from './steps';

export interface MappedErrors {
  byKey: Record<string, string>;
  general: string[];
}

/** `lr_tau: must be positive` reads twice once it sits under the lr_tau field: drop the echo. */
export function withoutFieldPrefix(message: string, field: string, flag?: string): string {
  const prefixes = [field, field.replace(/^config\./, ''), `--${field.replace(/^-+/, '')}`, ...(flag ? [`--${flag}`] : [])];
  for (const p of prefixes) if (p && message.startsWith(`${p}: `)) return message.slice(p.length + 2);
  return message;
}

export function mapFieldErrors(errors: readonly FieldError[], index: OptionIndex): MappedErrors {
  const out: MappedErrors = { byKey: {}, general: [] };
  for (const e of errors) {
    const o = e.field ? index.find(e.field) : undefined;
    if (!o) {
      out.general.push(e.field && !e.message.startsWith(e.field) ? `${e.field}: ${e.message}` : e.message);
      continue;
    }
    // The first error of a field is the one to fix first; later ones often follow from it.
    // Config errors start with the option's flag (`--batch-size: ...`) whatever the field is called.
    out.byKey[o.key] ??= withoutFieldPrefix(e.message, e.field, o.flag);
  }
  return out;
}

/** How many errors each step holds, for the badges on the step list. */
export function errorsPerStep(keys: Iterable<string>, general = 0): Record<StepId, number> {
  const counts: Record<StepId, number> = { data: 0, model: 0, objective: 0, reference: 0, optim: 0, resources: 0, review: general };
  for (const k of keys) counts[stepOfKey(k)]++;
  return counts;
}
