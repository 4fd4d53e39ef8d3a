/**
 * The evaluation task list (resources/eval/tasks.json): DataComp's 40 tasks plus the built-in
 * Fashion-MNIST task. Loaded and validated here; `--tasks a,b,c` is resolved against it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { WorkbenchError } from '../../src-shared/errors';

export const TASK_TYPES = ['zeroshot_classification', 'retrieval', 'winogavil', 'wilds', 'fairness'] as const;
export type TaskType = (typeof TASK_TYPES)[number];

const sourceSchema = z.discriminatedUnion('kind', [
  /** CLIP_benchmark webdataset layout: <dataRoot>/<dir>/{classnames.txt, zeroshot_classification_templates.txt, test/*.tar}. */
  z.object({ kind: z.literal('wds'), hfRepo: z.string().min(1), dir: z.string().min(1) }),
  /**
   * DataComp loads these from a Hugging Face `datasets` repo (hfRepo: retrieval sets, WinoGAViL), which
   * the workbench cannot read; it reads the same data converted to its retrieval layout
   * (src-worker/data/EVAL-LAYOUT.md) in <dataRoot>/<dir>.
   */
  z.object({ kind: z.literal('hf_dataset'), hfRepo: z.string().min(1), dir: z.string().min(1) }),
  /** Built into the workbench (no download). */
  z.object({ kind: z.literal('builtin') }),
]);

const taskSchema = z
  .object({
    key: z.string().regex(/^[a-z0-9_\-/]+$/, 'lower-case letters, digits, "_", "-" and "/" only'),
    name: z.string().min(1),
    type: z.enum(TASK_TYPES),
    /** Null where the task has no scalar main metric (FairFace, UTKFace): excluded from averages. */
    mainMetric: z.string().min(1).nullable(),
    groups: z.array(z.string().min(1)),
    /** Prefix of in-training metric names, `<prefix>/acc1` (the seed logs `imagenet1k/…`, `mscoco/…`). */
    metricPrefix: z.string().regex(/^[a-z0-9_\-]+$/, 'lower-case letters, digits, "_" and "-" only'),
    /** Other names --tasks accepts (flickr30k for Flickr, coco for MSCOCO). */
    aliases: z.array(z.string().regex(/^[a-z0-9_\-]+$/)).optional(),
    size: z.number().int().positive().optional(),
    numClasses: z.number().int().positive().optional(),
    randomScore: z.number().min(0).max(1).optional(),
    source: sourceSchema,
    supported: z.boolean(),
    reason: z.string().min(1).optional(),
    note: z.string().min(1).optional(),
    /** Defaults for tasks without class files on disk (the built-in task); a reader's own lists win. */
    classnames: z.array(z.string().min(1)).min(1).optional(),
    templates: z.array(z.string().includes('{c}', { message: 'each template needs a {c} placeholder' })).min(1).optional(),
  })
  .strict()
  .refine((t) => t.supported || t.reason !== undefined, { message: 'an unsupported task needs a "reason"', path: ['reason'] });

const aggregateSchema = z.object({ id: z.string().min(1), name: z.string().min(1), group: z.string().min(1) }).strict();

const taskListSchema = z
  .object({
    version: z.literal(1),
    source: z.string().optional(),
    aggregates: z.array(aggregateSchema),
    tasks: z.array(taskSchema).min(1),
  })
  .strict();

export type TaskSource = z.infer<typeof sourceSchema>;
export type TaskSpec = z.infer<typeof taskSchema>;
export type AggregateSpec = z.infer<typeof aggregateSchema>;
export type TaskList = z.infer<typeof taskListSchema>;

/** resources/eval/tasks.json beside the sources; a bundled app points CLIPWB_TASK_LIST at its copy. */
export const DEFAULT_TASK_LIST_PATH = process.env.CLIPWB_TASK_LIST ?? fileURLToPath(new URL('../../resources/eval/tasks.json', import.meta.url));

function describeIssues(error: z.ZodError, data: unknown): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.map(String).join('.');
      // Name the task by its key, not only its index, so the fix is easy to find in the file.
      const taskIndex = issue.path[0] === 'tasks' && typeof issue.path[1] === 'number' ? issue.path[1] : undefined;
      const key = taskIndex === undefined ? undefined : (data as { tasks?: { key?: unknown }[] }).tasks?.[taskIndex]?.key;
      return `${where}${typeof key === 'string' ? ` (task "${key}")` : ''}: ${issue.message}`;
    })
    .join('; ');
}

/** Validates a parsed task list; `origin` names the file in errors. */
export function parseTaskList(data: unknown, origin = 'task list'): TaskList {
  const parsed = taskListSchema.safeParse(data);
  if (!parsed.success) throw new Error(`${origin}: ${describeIssues(parsed.error, data)}`);
  const list = parsed.data;
  const problems: string[] = [];
  const seenKeys = new Set<string>();
  const seenPrefixes = new Set<string>();
  for (const t of list.tasks) {
    if (seenKeys.has(t.key)) problems.push(`task key "${t.key}" appears twice`);
    seenKeys.add(t.key);
    if (seenPrefixes.has(t.metricPrefix)) problems.push(`metricPrefix "${t.metricPrefix}" (task "${t.key}") is used by another task`);
    seenPrefixes.add(t.metricPrefix);
    if (t.supported && t.mainMetric === null) problems.push(`task "${t.key}" is supported but has no mainMetric`);
    if (t.source.kind === 'builtin' && t.type === 'zeroshot_classification' && (!t.classnames || !t.templates)) {
      problems.push(`built-in classification task "${t.key}" needs "classnames" and "templates"`);
    }
  }
  const groups = new Set(list.tasks.flatMap((t) => t.groups));
  for (const a of list.aggregates) {
    if (!groups.has(a.group)) problems.push(`aggregate "${a.id}" uses group "${a.group}", which no task belongs to`);
  }
  if (problems.length > 0) throw new Error(`${origin}: ${problems.join('; ')}`);
  return list;
}

export function loadTaskList(path: string = DEFAULT_TASK_LIST_PATH): TaskList {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`task list ${path} could not be read (${(err as Error).message}); reinstall the workbench or pass the path of a tasks.json`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(`task list ${path} is not valid JSON: ${(err as Error).message}`);
  }
  return parseTaskList(data, `task list ${path}`);
}

function matchTasks(list: TaskList, groups: Set<string>, item: string): TaskSpec[] {
  if (item === 'all') return list.tasks;
  const direct = list.tasks.filter((t) => t.key === item || t.metricPrefix === item || (t.aliases ?? []).includes(item));
  if (direct.length > 0) return direct;
  return groups.has(item) ? list.tasks.filter((t) => t.groups.includes(item)) : [];
}

/**
 * Resolves a `--tasks` value. Each comma-separated item is a task key (`vtab/cifar100`), a metric prefix
 * (`mscoco`, `cifar100`), a group (`vtab`, `retrieval`, `datacomp`) or `all`; case-insensitive. Order
 * follows the task list; duplicates collapse. An empty value means every task.
 */
export function resolveTasks(list: TaskList, spec: string | readonly string[] | undefined): TaskSpec[] {
  const items = (typeof spec === 'string' ? spec.split(',') : (spec ?? []))
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s.length > 0);
  if (items.length === 0) return [...list.tasks];
  const groups = new Set(list.tasks.flatMap((t) => t.groups));
  const chosen = new Set<string>();
  const unknown: string[] = [];
  for (const item of items) {
    const matches = matchTasks(list, groups, item);
    if (matches.length === 0) unknown.push(item);
    for (const t of matches) chosen.add(t.key);
  }
  if (unknown.length > 0) {
    const valid = list.tasks.map((t) => (t.metricPrefix === t.key ? t.key : `${t.key} (or ${t.metricPrefix})`)).join(', ');
    throw new WorkbenchError(
      `--tasks: unknown task${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')}. ` +
        `Valid tasks: ${valid}. Groups: all, ${[...groups].sort().join(', ')}.`,
      { kind: 'invalid', field: 'tasks' },
    );
  }
  return list.tasks.filter((t) => chosen.has(t.key));
}

/**
 * Where a task's data lives under the evaluation data folder, in the layout DataComp's download_evalsets.py
 * produces: `wds_<name>_test/` for webdatasets, and the `datasets` library's `<org>___<name>` folder
 * inside `hf_cache/` for Hugging Face datasets. Null for built-in tasks.
 */
export function taskDataDir(dataRoot: string, task: TaskSpec): string | null {
  switch (task.source.kind) {
    case 'builtin':
      return null;
    case 'wds':
      return join(dataRoot, task.source.dir);
    case 'hf_dataset': {
      // The converted folder, or one named after the hub dataset or the task key, whichever exists.
      const candidates = [task.source.dir, task.source.hfRepo.split('/').pop() ?? task.source.dir, task.key.replace(/\//g, '_')].map((d) => join(dataRoot, d));
      return candidates.find((d) => existsSync(d)) ?? candidates[0]!;
    }
  }
}
