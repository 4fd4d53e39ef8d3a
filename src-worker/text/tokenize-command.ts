/** What `clipwb tokenize --vocab PATH [--context-length N] "text" ...` prints. */
import { ClipTokenizer, DEFAULT_CONTEXT_LENGTH } from './tokenizer';
import { WorkbenchError } from '../../src-shared/errors';

export interface TokenizeCommandArgs {
  vocab: string;
  texts: string[];
  contextLength?: number;
}

function checkArgs(args: TokenizeCommandArgs): { vocab: string; texts: string[]; contextLength: number } {
  if (typeof args.vocab !== 'string' || args.vocab.trim() === '') {
    throw new WorkbenchError('--vocab is required: a CLIP merges file (bpe_simple_vocab_16e6.txt.gz), a vocab.json with merges.txt, or a folder holding either', { kind: 'invalid', field: 'vocab' });
  }
  if (!Array.isArray(args.texts) || args.texts.length === 0) throw new WorkbenchError('give at least one text to tokenize, e.g. clipwb tokenize --vocab PATH "a photo of a cat."', { kind: 'invalid', field: 'texts' });
  args.texts.forEach((t, i) => {
    if (typeof t !== 'string') throw new WorkbenchError(`text ${i + 1} must be a string`, { kind: 'invalid', field: 'texts' });
  });
  const contextLength = args.contextLength ?? DEFAULT_CONTEXT_LENGTH;
  if (!Number.isInteger(contextLength) || contextLength < 2) throw new WorkbenchError(`--context-length must be an integer >= 2; got ${contextLength}`, { kind: 'invalid', field: 'context-length' });
  return { vocab: args.vocab, texts: args.texts, contextLength };
}

/** The printed report: per text, its ids (padding left out) and the tokens as strings. */
export function tokenizeCommand(args: TokenizeCommandArgs): string {
  const { vocab, texts, contextLength } = checkArgs(args);
  const tokenizer = ClipTokenizer.loadSync(vocab);
  const lines = [
    `# vocabulary: ${tokenizer.vocabulary.source}: ${tokenizer.size} ids (start_of_text ${tokenizer.startOfTextId}, end_of_text ${tokenizer.endOfTextId}); context length ${contextLength}`,
  ];
  for (const text of texts) {
    const row = new Int32Array(contextLength);
    const whole = tokenizer.encodeInto(text, row, 0, contextLength);
    const used = row.indexOf(tokenizer.endOfTextId) + 1;
    const ids = row.subarray(0, used);
    lines.push(text);
    lines.push(`  ids:    ${Array.from(ids).join(' ')}`);
    lines.push(`  tokens: ${tokenizer.tokenStrings(ids).join(' ')}`);
    lines.push(
      whole
        ? `  (${used} of ${contextLength} positions; the rest are 0)`
        : `  (cut to ${contextLength} ids; the last is forced to end_of_text)`,
    );
  }
  return `${lines.join('\n')}\n`;
}
