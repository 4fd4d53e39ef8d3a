/**
 * Which metric keys share a chart. Curves on one chart must share a unit and a scale: the total,
 * contrastive and distillation losses together; lr with lr_tau; logit scale with temperatures; data
 * and batch time together. Evaluation metrics are grouped per task. Anything unknown gets its own chart.
 */

export interface ChartGroup {
  id: string;
  title: string;
  keys: string[];
  /** Suggested y scale; the user's log toggle wins. */
  logY: boolean;
}

interface GroupRule { id: string; title: string; logY: boolean; test: (leaf: string, key: string) => boolean }

const leafOf = (key: string): string => key.slice(key.lastIndexOf('/') + 1);
const isTrain = (key: string): boolean => key.startsWith('train/');

const RULES: GroupRule[] = [
  { id: 'loss', title: 'Loss', logY: false, test: (leaf, key) => isTrain(key) && /loss$/.test(leaf) },
  { id: 'lr', title: 'Learning rate', logY: false, test: (leaf, key) => isTrain(key) && /^(lr|lr_tau|learning_rate)$/.test(leaf) },
  { id: 'temperature', title: 'Logit scale / temperature', logY: false, test: (leaf, key) => isTrain(key) && /^(scale|logit_scale|temperature|tau|tau_.*|.*_tau)$/.test(leaf) },
  { id: 'gamma', title: 'Gamma', logY: false, test: (leaf, key) => isTrain(key) && /^gamma$/.test(leaf) },
  { id: 'throughput', title: 'Samples/s', logY: false, test: (leaf, key) => isTrain(key) && /^samples_per_second/.test(leaf) },
  { id: 'timing', title: 'Data vs batch time (s)', logY: false, test: (leaf, key) => isTrain(key) && /^(data_time|batch_time)$/.test(leaf) },
];

/** Keys in a chart's legend order: the total loss before its parts, lr before lr_tau. */
const KEY_ORDER = ['train/loss', 'train/contrastive_loss', 'train/distill_loss', 'train/lr', 'train/lr_tau', 'train/scale', 'train/samples_per_second', 'train/data_time', 'train/batch_time'];
const orderOf = (k: string): number => {
  const i = KEY_ORDER.indexOf(k);
  return i < 0 ? KEY_ORDER.length : i;
};
const byOrder = (a: string, b: string): number => orderOf(a) - orderOf(b) || a.localeCompare(b);

export function groupMetricKeys(keys: readonly string[]): ChartGroup[] {
  const ruled = new Map<string, ChartGroup>();
  const evalGroups = new Map<string, ChartGroup>();
  const others: ChartGroup[] = [];
  for (const key of [...new Set(keys)].sort(byOrder)) {
    const leaf = leafOf(key);
    const rule = RULES.find((r) => r.test(leaf, key));
    if (rule) {
      let g = ruled.get(rule.id);
      if (!g) {
        g = { id: rule.id, title: rule.title, keys: [], logY: rule.logY };
        ruled.set(rule.id, g);
      }
      g.keys.push(key);
    } else if (!isTrain(key) && key.includes('/')) {
      // "val/<task>/<metric>" groups by task; "val/<metric>" goes in one evaluation chart.
      const parts = key.split('/');
      const id = parts.length > 2 ? `eval:${parts.slice(0, -1).join('/')}` : `eval:${parts[0]}`;
      const title = parts.length > 2 ? `Eval: ${parts.slice(1, -1).join('/')}` : `Eval (${parts[0]})`;
      let g = evalGroups.get(id);
      if (!g) {
        g = { id, title, keys: [], logY: false };
        evalGroups.set(id, g);
      }
      g.keys.push(key);
    } else {
      others.push({ id: `key:${key}`, title: key, keys: [key], logY: false });
    }
  }
  const ordered = RULES.map((r) => ruled.get(r.id)).filter((g): g is ChartGroup => g !== undefined);
  return [...ordered, ...[...evalGroups.values()].sort((a, b) => a.id.localeCompare(b.id)), ...others];
}

/** A short label for a key inside its chart: "train/contrastive_loss" → "contrastive_loss". */
export function keyLabel(key: string): string {
  return key.startsWith('train/') ? key.slice('train/'.length) : key;
}
