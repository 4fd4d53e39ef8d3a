/**
 * Turns the wizard's draft into the config object `runs.validate` / `runs.create` take: typed values,
 * only the options that differ from their defaults (the server fills in the rest, and the stored
 * config and the command stay short). A value that does not parse is sent as typed, so the server's
 * message about it is the same one the CLI gives.
 */
import type { OptionInfo } from '../../../src-shared/api/types';
import { TEACHER_KEYS, type FieldValue, type WizardDraft } from './draft';

export function parseFieldValue(o: OptionInfo, v: FieldValue): unknown {
  if (o.type === 'bool') return v === true || v === 'true';
  const s = String(v).trim();
  switch (o.type) {
    case 'int':
    case 'float': {
      if (s === '') return null;
      const n = Number(s);
      return Number.isFinite(n) ? n : s;
    }
    case 'list':
      return s.split(',').map((x) => x.trim()).filter((x) => x.length > 0);
    default:
      return s === '' ? null : s;
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

export function assembleConfig(draft: WizardDraft, options: readonly OptionInfo[]): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const o of options) {
    if (!draft.useTeacher && TEACHER_KEYS.includes(o.key)) continue;
    const raw = draft.fields[o.key];
    if (raw === undefined) continue;
    const value = parseFieldValue(o, raw);
    if (!sameValue(value, o.default)) config[o.key] = value;
  }
  return config;
}

/** A stable text for "is this the config that was validated?" (key order does not matter). */
export function configSignature(config: Record<string, unknown>): string {
  return JSON.stringify(Object.keys(config).sort().map((k) => [k, config[k]]));
}
