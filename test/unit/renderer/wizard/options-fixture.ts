/** The option table and presets as `options.list` hands them to the renderer, built from the real table. */
import { OPTIONS } from '../../../../src-shared/config/options';
import { PRESETS } from '../../../../src-shared/config/presets';
import { parseTrainArgs } from '../../../../src-shared/config/train-config';
import type { OptionInfo, PresetInfo } from '../../../../src-shared/api/types';

export const optionInfos: OptionInfo[] = OPTIONS.map((o) => ({
  flag: o.flag, key: o.key, type: o.type, group: o.group, help: o.help, default: o.default ?? null,
  ...(o.choices ? { choices: o.choices } : {}),
  ...(o.min !== undefined ? { min: o.min } : {}),
  ...(o.max !== undefined ? { max: o.max } : {}),
  ...(o.gt !== undefined ? { gt: o.gt } : {}),
}));

/** Presets as full validated configs (what a server derives from the preset's flags). */
export const presetInfos: PresetInfo[] = PRESETS.map((p) => ({ name: p.name, title: p.title, description: p.description, config: { ...parseTrainArgs(p.args).config } }));

export function preset(name: string): PresetInfo {
  const p = presetInfos.find((x) => x.name === name);
  if (!p) throw new Error(`no preset ${name}`);
  return p;
}
