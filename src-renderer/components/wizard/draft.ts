/**
 * The wizard's editable state. Controls hold text exactly as typed ("3.125e-4", "1e-" half-way), so a
 * number is parsed only when the config is assembled; booleans stay booleans. Distillation fields are
 * kept while the teacher is switched off so that switching it back on restores them.
 */
import type { OptionInfo, PresetInfo } from '../../../src-shared/api/types';
import { indexOptions } from './option-lookup';

export type FieldValue = string | boolean;

export interface WizardDraft {
  fields: Record<string, FieldValue>;
  useTeacher: boolean;
}

/** Options that only mean something with a teacher; they are not sent while it is off. */
export const TEACHER_KEYS: readonly string[] = ['distillModel', 'distillPretrained', 'distillMode', 'distillWeight', 'initFromDistilled'];

/** The reference paper's teacher (OpenAI ViT-B/32, feature distillation, w = 0.5): filled in when a teacher is switched on with nothing chosen yet. */
export const SEED_TEACHER: Readonly<Record<string, string>> = { distillModel: 'ViT-B-32', distillPretrained: 'openai', distillMode: 'feature', distillWeight: '0.5' };

export function withTeacher(draft: WizardDraft, on: boolean): WizardDraft {
  if (!on) return { ...draft, useTeacher: false };
  const fields = { ...draft.fields };
  for (const [k, v] of Object.entries(SEED_TEACHER)) if (String(fields[k] ?? '') === '') fields[k] = v;
  return { fields, useTeacher: true };
}

/**
 * A number as a field shows it for editing: every digit kept (format.ts rounds for display, which would
 * change the value sent back), small magnitudes as the reference paper's code writes them (3.125e-4, not 0.0003125).
 */
export function editableNumber(n: number): string {
  if (n !== 0 && Math.abs(n) < 1e-3) return n.toExponential();
  return String(n);
}

export function toFieldValue(o: OptionInfo, v: unknown): FieldValue {
  if (o.type === 'bool') return v === true || v === 'true' || v === '1';
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(String).join(',');
  if (typeof v === 'number') return editableNumber(v);
  return String(v);
}

/**
 * A draft from option values: every option starts at its default, then `values` (config keys or
 * flags, as a preset or a stored run config names them) override it. Unknown names are returned so
 * the caller can say what was dropped.
 */
export function draftFromValues(options: readonly OptionInfo[], values: Record<string, unknown> = {}): { draft: WizardDraft; unknown: string[] } {
  const index = indexOptions(options);
  const fields: Record<string, FieldValue> = {};
  for (const o of options) fields[o.key] = toFieldValue(o, o.default);
  const unknown: string[] = [];
  for (const [name, v] of Object.entries(values)) {
    const o = index.find(name);
    if (o) fields[o.key] = toFieldValue(o, v);
    else unknown.push(name);
  }
  const useTeacher = Boolean(fields.distillModel || fields.distillPretrained);
  return { draft: { fields, useTeacher }, unknown };
}

/** One click fills the whole wizard: the preset over the defaults, not over what was typed before. */
export function draftFromPreset(options: readonly OptionInfo[], preset: PresetInfo): { draft: WizardDraft; unknown: string[] } {
  return draftFromValues(options, preset.config);
}
