/**
 * Which eval sets a download request names. Names resolve through the task list (keys, short names,
 * groups such as `vtab`), and a task that DataComp does not publish as webdataset shards is refused
 * with what to do instead, rather than failing later on a repository that does not exist.
 */
import { loadTaskList, resolveTasks, type TaskSpec } from '../../src-worker/eval/task-list';

export class EvalsetError extends Error {
  override name = 'EvalsetError';
  constructor(message: string, readonly field = 'tasks') {
    super(message);
  }
}

export function resolveEvalsetTasks(names: readonly string[]): TaskSpec[] {
  let tasks: TaskSpec[];
  try {
    tasks = resolveTasks(loadTaskList(), names);
  } catch (err) {
    throw new EvalsetError((err as Error).message);
  }
  for (const t of tasks) {
    if (t.source.kind === 'builtin') throw new EvalsetError(`${t.key} is built in: build it with \`clipwb data build fashion-mnist\`, nothing to download`);
    if (t.source.kind === 'hf_dataset') {
      throw new EvalsetError(`${t.name} (${t.key}) is not published as webdataset shards: DataComp loads it from the Hugging Face dataset ` +
        `${t.source.hfRepo}, which the workbench cannot read yet. Convert it into the retrieval layout of src-worker/data/EVAL-LAYOUT.md ` +
        `and put it in <eval data folder>/${t.source.dir}`);
    }
  }
  return tasks;
}
