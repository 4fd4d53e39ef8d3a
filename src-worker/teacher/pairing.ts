/**
 * Can this teacher teach this student as the reference paper's code does? The teacher runs on the student's augmented
 * images and token ids, and its L2-normalised features are compared with the student's directly (the
 * reference paper's code has no projection head). So: same embedding width, same image size, the student's context fits
 * the teacher's, and one tokenizer for both.
 */
import type { ClipConfig } from '../model/config';
import type { ClipTokenizer } from '../text';
import { modelError, pretrainedError, vocabError } from './errors';

/** Throws unless the teacher can consume the student's inputs and its features compare with the student's. */
export function assertTeacherFitsStudent(teacher: ClipConfig, student: ClipConfig): void {
  if (teacher.embedDim !== student.embedDim) {
    throw modelError(
      `teacher ${teacher.name} has embed_dim ${teacher.embedDim}, the student ${student.name} has ${student.embedDim}; ` +
        'the reference paper\'s code compares teacher and student embeddings directly, with no projection head between them',
      'Pick a teacher/student pair with the same embed_dim (e.g. ViT-B-32 teaching ViT-B-16, both 512)',
    );
  }
  if (teacher.vision.imageSize !== student.vision.imageSize) {
    throw modelError(
      `teacher ${teacher.name} takes ${teacher.vision.imageSize}px images, the student ${student.name} ${student.vision.imageSize}px; the teacher runs on the student's augmented images`,
      'Pick a teacher with the same image_size as the student',
    );
  }
  if (student.text.contextLength > teacher.text.contextLength) {
    throw modelError(
      `the student ${student.name} tokenizes to ${student.text.contextLength} positions, more than teacher ${teacher.name}'s context_length ${teacher.text.contextLength}`,
      'Pick a teacher whose context_length is at least the student\'s',
    );
  }
  if (teacher.text.vocabSize !== student.text.vocabSize) {
    throw modelError(
      `teacher ${teacher.name} has vocab_size ${teacher.text.vocabSize}, the student ${student.name} ${student.text.vocabSize}; ` +
        'student and teacher must share one tokenizer (the teacher reads the student\'s token ids)',
      'Pick a student config with the teacher\'s vocab_size and pass the teacher\'s tokenizer as --vocab',
    );
  }
}

function firstMergeDifference(a: ClipTokenizer, b: ClipTokenizer): string | null {
  const ma = a.vocabulary.merges;
  const mb = b.vocabulary.merges;
  const n = Math.min(ma.length, mb.length);
  for (let i = 0; i < n; i++) {
    const x = ma[i]!;
    const y = mb[i]!;
    // merges.txt line i + 2: line 1 is the "#version" header.
    if (x[0] !== y[0] || x[1] !== y[1]) return `merge line ${i + 2}: "${x[0]} ${x[1]}" vs "${y[0]} ${y[1]}"`;
  }
  return ma.length === mb.length ? null : `${ma.length} vs ${mb.length} merges`;
}

export interface TeacherTokenizer {
  tokenizer: ClipTokenizer;
  /** Files that came with the weights describe exactly their vocabulary (HF: size = vocab_size). */
  exactSize: boolean;
  /** What to pass as --vocab to use it. */
  location: string;
}

/**
 * The student's tokenizer must be the teacher's: its ids must fit the teacher's embedding, and where the
 * teacher came with tokenizer files, the same size and the same merges.
 */
export function assertSharedTokenizer(teacher: ClipConfig, student: ClipTokenizer, own: TeacherTokenizer | null): void {
  if (student.size > teacher.text.vocabSize) {
    throw vocabError(
      `the student's tokenizer (${student.vocabulary.source}) has ${student.size} ids, more than teacher ${teacher.name}'s vocab_size ${teacher.text.vocabSize}`,
      'Use the teacher\'s tokenizer as --vocab',
    );
  }
  if (!own) return;
  const t = own.tokenizer;
  if (own.exactSize ? t.size !== teacher.text.vocabSize : t.size > teacher.text.vocabSize) {
    throw pretrainedError(
      `the teacher's tokenizer files (${t.vocabulary.source}) have ${t.size} ids but its config has vocab_size ${teacher.text.vocabSize}; the tokenizer does not belong to these weights`,
      'Pull the model again, or put its own vocab.json + merges.txt beside the weights',
    );
  }
  if (t.size !== student.size) {
    throw vocabError(
      `the student's tokenizer (${student.vocabulary.source}, ${student.size} ids) is not the teacher's (${t.vocabulary.source}, ${t.size} ids); ` +
        'student and teacher must share one tokenizer',
      `Pass the teacher's tokenizer: --vocab ${own.location}`,
    );
  }
  const diff = firstMergeDifference(student, t);
  if (diff !== null) {
    throw vocabError(
      `the student's tokenizer (${student.vocabulary.source}) and the teacher's (${t.vocabulary.source}) have the same size but different merges (${diff}); ` +
        'the same ids would mean different words to the two models',
      `Pass the teacher's tokenizer: --vocab ${own.location}`,
    );
  }
}
