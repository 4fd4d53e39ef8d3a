/**
 * `--init-from-distilled`: copy every teacher tensor whose name and shape match a student parameter, as
 * the reference paper's code does (it walks both models' parameters and copies where the shapes agree). The logit scale is
 * copied too, so a student initialised from the OpenAI teacher starts at scale 100. The student keeps its
 * own activation even though the copied weights were trained with QuickGELU (as in the reference paper's code).
 */
import type { ClipModel } from '../model/clip';
import type { ParamSpec } from '../model/param-spec';
import { stripModulePrefix, type StateDict } from '../model/state-dict';

export interface InitFromTeacherReport {
  /** Student parameters given the teacher's values, in the student's order. */
  copied: string[];
  /** Student parameters left as they were (absent from the teacher, or of another shape). */
  skipped: string[];
  /** Number of student parameters. */
  total: number;
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/** Which student parameters a teacher with these tensor shapes would fill; allocates nothing. */
export function planInitFromTeacher(student: readonly ParamSpec[], teacherShapes: ReadonlyMap<string, readonly number[]>): InitFromTeacherReport {
  const copied: string[] = [];
  const skipped: string[] = [];
  for (const s of student) {
    const t = teacherShapes.get(s.name);
    if (t && sameShape(t, s.shape)) copied.push(s.name);
    else skipped.push(s.name);
  }
  return { copied, skipped, total: student.length };
}

/**
 * Assigns the matching teacher tensors into the student's variables. Needs the teacher's host weights:
 * call it before ReferenceModel.releaseStateDict().
 */
export function initStudentFromTeacher(student: ClipModel, teacher: StateDict): InitFromTeacherReport {
  if (teacher.size === 0) {
    throw new Error('initStudentFromTeacher: the teacher state dict is empty (was releaseStateDict() called before the init?)');
  }
  const sd = stripModulePrefix(teacher);
  const plan = planInitFromTeacher(student.specs, new Map([...sd].map(([name, t]) => [name, t.shape])));
  const subset: StateDict = new Map(plan.copied.map((name) => [name, sd.get(name)!]));
  student.loadStateDict(subset, { strict: false });
  return plan;
}
