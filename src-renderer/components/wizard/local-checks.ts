/**
 * Checks the wizard can make on one field while the user types, from the option table alone (type,
 * bounds, choices, required). The server's `runs.validate` adds the checks across fields (teacher
 * without weights, a batch larger than an epoch...) a moment later.
 */
import type { OptionInfo } from '../../../src-shared/api/types';
import { TEACHER_KEYS, editableNumber, type FieldValue, type WizardDraft } from './draft';

export function checkField(o: OptionInfo, v: FieldValue | undefined): string | null {
  if (o.type === 'bool' || v === undefined) return null;
  const s = String(v).trim();
  const optional = o.default === null || o.default === undefined;
  if (s === '') {
    if (optional || o.type === 'list' || o.type === 'string') return null;
    return `required: give a value (default ${JSON.stringify(o.default)})`;
  }
  if (o.type === 'int' || o.type === 'float') {
    const n = Number(s);
    if (!Number.isFinite(n)) return `expected a number, got "${s}"`;
    if (o.type === 'int' && !Number.isInteger(n)) return `expected a whole number, got ${s}`;
    if (o.min !== undefined && n < o.min) return `must be at least ${editableNumber(o.min)}, got ${s}`;
    if (o.max !== undefined && n > o.max) return `must be at most ${editableNumber(o.max)}, got ${s}`;
    if (o.gt !== undefined && !(n > o.gt)) return `must be greater than ${editableNumber(o.gt)}, got ${s}`;
    return null;
  }
  if (o.type === 'enum' && o.choices && !o.choices.includes(s)) return `"${s}" is not one of ${o.choices.join(', ')}`;
  if (s.length > 4096) return 'is longer than 4096 characters';
  return null;
}

/** Model config names are files the app ships; a value with a slash or `.json` is a path and is left to the server. */
export function checkModelName(value: FieldValue | undefined, known: readonly string[]): string | null {
  const s = String(value ?? '').trim();
  if (s === '' || known.length === 0 || known.includes(s) || s.includes('/') || s.includes('\\') || s.endsWith('.json')) return null;
  return `unknown model "${s}": choose one of ${known.join(', ')}, or give the path to an open_clip JSON config`;
}

export const MODEL_NAME_KEYS: readonly string[] = ['model', 'distillModel'];

/**
 * Options the table leaves optional for other callers (`clipwb train --resume` takes its data from the
 * checkpoint) but without which a new run from the wizard can only fail at start.
 */
export const WIZARD_REQUIRED: Readonly<Record<string, string>> = {
  trainData: 'required: choose a dataset above, or give shard paths or a folder',
};

/** Every local problem of the draft, by option key. Fields not sent (teacher off) are not checked. */
export function checkDraft(draft: WizardDraft, options: readonly OptionInfo[], modelNames: readonly string[] = []): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const o of options) {
    if (!draft.useTeacher && TEACHER_KEYS.includes(o.key)) continue;
    const value = draft.fields[o.key];
    const missing = WIZARD_REQUIRED[o.key] !== undefined && String(value ?? '').trim() === '' ? WIZARD_REQUIRED[o.key]! : null;
    const msg = missing ?? checkField(o, value) ?? (MODEL_NAME_KEYS.includes(o.key) ? checkModelName(value, modelNames) : null);
    if (msg) errors[o.key] = msg;
  }
  return errors;
}

/**
 * A "required" error is noise on a field the user has not reached yet: it shows once the field was
 * edited, or once the user asks for the whole picture (the review step, Create). Every other error
 * shows at once: it is about a value someone typed or a preset set.
 */
export function visibleErrors(errors: Readonly<Record<string, string>>, touched: ReadonlySet<string>, showAll: boolean): Record<string, string> {
  if (showAll) return { ...errors };
  const out: Record<string, string> = {};
  for (const [key, msg] of Object.entries(errors)) if (!msg.startsWith('required') || touched.has(key)) out[key] = msg;
  return out;
}
