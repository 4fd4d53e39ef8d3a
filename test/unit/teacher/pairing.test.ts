import { describe, expect, it } from 'vitest';
import { loadModelConfig } from '../../../src-worker/model/config';
import { ClipTokenizer } from '../../../src-worker/text';
import { ConfigError } from '../../../src-shared/config/train-config';
import { architectureDifferences } from '../../../src-worker/teacher/architecture';
import { assertSharedTokenizer, assertTeacherFitsStudent } from '../../../src-worker/teacher/pairing';
import { tinyConfig, tinyVocabulary, TINY_MERGES } from './fixtures';

function caught(f: () => void): ConfigError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected an error');
}

describe('teacher architecture against --distill-model', () => {
  it('ViT-B-32 against ViT-B-16 differs in the patch size only', () => {
    const d = architectureDifferences(loadModelConfig('ViT-B-32'), loadModelConfig('ViT-B-16'), true);
    expect(d).toEqual(['vision_cfg.patch_size (vision_config.patch_size): ViT-B-32 has 32, ViT-B-16 has 16']);
  });

  it('lists every difference, ignoring the activation', () => {
    const d = architectureDifferences(tinyConfig({}, 'a'), tinyConfig({ visionLayers: 3, vocabSize: 600, quickGelu: true }, 'b'), false);
    expect(d).toEqual(['vision_cfg.layers: a has 2, b has 3', 'text_cfg.vocab_size: a has 518, b has 600']);
  });
});

describe('teacher and student pairing', () => {
  it('ViT-B-32 can teach ViT-B-16 (the seed\'s pair)', () => {
    expect(() => assertTeacherFitsStudent(loadModelConfig('ViT-B-32'), loadModelConfig('ViT-B-16'))).not.toThrow();
  });

  it('refuses a different embedding width, saying there is no projection head and what to pick', () => {
    const e = caught(() => assertTeacherFitsStudent(tinyConfig({ embedDim: 8 }, 'teacher'), tinyConfig({ embedDim: 6 }, 'student')));
    expect(e.field).toBe('distill-model');
    expect(e.message).toMatch(/embed_dim 8.*has 6.*no projection head/);
    expect(e.message).toMatch(/same embed_dim/);
  });

  it('refuses a different image size, a longer student context and a different vocab_size', () => {
    expect(caught(() => assertTeacherFitsStudent(tinyConfig({ imageSize: 12 }), tinyConfig({ imageSize: 8 }))).message).toMatch(/12px images/);
    expect(caught(() => assertTeacherFitsStudent(tinyConfig({ contextLength: 4 }), tinyConfig({ contextLength: 6 }))).message).toMatch(/6 positions.*context_length 4/);
    expect(caught(() => assertTeacherFitsStudent(tinyConfig({ vocabSize: 600 }), tinyConfig())).message).toMatch(/vocab_size 600.*share one tokenizer/);
  });

  it('accepts a shorter student context (the teacher reads the prefix of its positions)', () => {
    expect(() => assertTeacherFitsStudent(tinyConfig({ contextLength: 8 }), tinyConfig({ contextLength: 6 }))).not.toThrow();
  });
});

describe('one tokenizer for teacher and student', () => {
  const teacher = tinyConfig();
  const tok = (merges = TINY_MERGES) => new ClipTokenizer(tinyVocabulary(merges));
  const own = (t: ClipTokenizer, exactSize = true) => ({ tokenizer: t, exactSize, location: '/models/x' });

  it('accepts the same vocabulary, or none to compare with', () => {
    expect(() => assertSharedTokenizer(teacher, tok(), own(tok()))).not.toThrow();
    expect(() => assertSharedTokenizer(teacher, tok(), null)).not.toThrow();
  });

  it('refuses teacher files whose size is not the teacher\'s vocab_size', () => {
    const e = caught(() => assertSharedTokenizer(teacher, tok(), own(tok(TINY_MERGES.slice(0, 2)))));
    expect(e.field).toBe('distill-pretrained');
    expect(e.message).toMatch(/516 ids but its config has vocab_size 518/);
  });

  it('a checkpoint\'s smaller vocabulary is fine when it is the student\'s', () => {
    const small = tok(TINY_MERGES.slice(0, 2));
    expect(() => assertSharedTokenizer(teacher, small, own(tok(TINY_MERGES.slice(0, 2)), false))).not.toThrow();
  });

  it('refuses a student tokenizer of another size, naming the --vocab to use', () => {
    const e = caught(() => assertSharedTokenizer(teacher, tok(TINY_MERGES.slice(0, 3)), own(tok())));
    expect(e.field).toBe('vocab');
    expect(e.message).toMatch(/517 ids.*518 ids.*must share one tokenizer.*--vocab \/models\/x/);
  });

  it('refuses the same size with other merges, naming the first differing line', () => {
    const other: typeof TINY_MERGES = [['c', 'a'], ['ca', 't</w>'], ['d', 'o'], ['do', 'e</w>']];
    const e = caught(() => assertSharedTokenizer(teacher, tok(other), own(tok())));
    expect(e.message).toMatch(/different merges \(merge line 5: "do e<\/w>" vs "do g<\/w>"\)/);
  });

  it('refuses a student vocabulary larger than the teacher\'s embedding', () => {
    const e = caught(() => assertSharedTokenizer(tinyConfig({ vocabSize: 516 }), tok(), null));
    expect(e.message).toMatch(/518 ids, more than .*vocab_size 516/);
  });
});
