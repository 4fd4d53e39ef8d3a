/**
 * The evaluation sets offered for download, grouped as DataComp groups them (ImageNet and its
 * distribution shifts, VTAB, retrieval...), with the built-in task and unsupported ones set apart.
 */
import type { TaskInfo } from '../../../src-shared/api/contract';

export interface TaskGroup { id: string; title: string; tasks: TaskInfo[] }

const GROUP_TITLES: Record<string, string> = {
  imagenet: 'ImageNet', dist_shift: 'ImageNet distribution shifts', retrieval: 'Retrieval', vtab: 'VTAB', wilds: 'WILDS', fairness: 'Fairness',
  datacomp: 'Other DataComp tasks', builtin: 'Built-in', other: 'Other',
};
const ORDER = ['imagenet', 'dist_shift', 'retrieval', 'vtab', 'wilds', 'fairness', 'datacomp', 'builtin', 'other'];

/** Each task lands in its first group that has a title; a task belongs to one group only. */
export function groupTasks(tasks: readonly TaskInfo[]): TaskGroup[] {
  const groups = new Map<string, TaskInfo[]>();
  for (const t of tasks) {
    const g = ORDER.find((id) => t.groups.includes(id)) ?? 'other';
    const list = groups.get(g) ?? [];
    list.push(t);
    groups.set(g, list);
  }
  return ORDER.filter((id) => groups.has(id)).map((id) => ({ id, title: GROUP_TITLES[id]!, tasks: groups.get(id)!.sort((a, b) => a.name.localeCompare(b.name)) }));
}

/** The built-in task's set is built on this machine ("Build the built-in dataset"), not downloaded. */
export const isBuiltinTask = (t: TaskInfo): boolean => t.groups.includes('builtin');

/** Why a task cannot be picked for download, or null when it can. */
export function taskUnavailable(t: TaskInfo): string | null {
  if (isBuiltinTask(t)) return 'built on this machine: use "Build the built-in dataset"';
  if (!t.supported) return t.reason ?? 'not supported by the evaluator yet';
  return null;
}
