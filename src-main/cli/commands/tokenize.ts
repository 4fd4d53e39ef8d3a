import type { Command } from '../command';
import { parseArgs, formatFlagHelp, str, num, type FlagSpec, UsageError } from '../args';
import { standardVocabularyPath, tokenizeCommand as tokenize } from '../../../src-worker/text';

const FLAGS: FlagSpec[] = [
  { name: 'vocab', type: 'string', help: 'bpe_simple_vocab_16e6.txt.gz, or a folder / files of vocab.json + merges.txt (default: the standard CLIP vocabulary shipped in resources/vocab)' },
  { name: 'context-length', type: 'int', help: 'Sequence length', default: 77 },
];

export const tokenizeCommand: Command = {
  name: 'tokenize',
  summary: 'Print the token ids of some text',
  usage: `usage: clipwb tokenize [--vocab PATH] "some text" ["more text" ...]\n\n${formatFlagHelp(FLAGS)}`,
  async run(argv) {
    const { flags, positionals } = parseArgs(argv, FLAGS, 'tokenize');
    if (positionals.length === 0) throw new UsageError('tokenize: give the text to tokenize, e.g. clipwb tokenize "a photo of a cat."');
    console.log(tokenize({ vocab: str(flags.vocab) ?? standardVocabularyPath(), texts: positionals, contextLength: num(flags['context-length']) }));
    return 0;
  },
};
