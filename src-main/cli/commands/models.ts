import type { Command } from '../command';
import { parseArgs, formatFlagHelp, str, UsageError, type FlagSpec } from '../args';
import { HOME_FLAG } from '../context';
import { resolveDataDir } from '../../paths';
import { pullModel } from '../../models/pull';
import { listModels } from '../../models/list';
import { createProgressBar, formatBytes } from '../progress';

const FLAGS: FlagSpec[] = [
  { name: 'rev', type: 'string', help: 'Branch, tag or commit', default: 'main' },
  { name: 'file', type: 'string', help: 'The weights file to pull (a path in the repository), e.g. one .pt of a repository of checkpoints' },
  HOME_FLAG,
];

export const modelsCommand: Command = {
  name: 'models',
  summary: 'Reference models: pull from the Hugging Face hub, list',
  usage: `usage: clipwb models pull <org/name> [--rev REV] [--file PATH]  download weights + tokenizer files (resumable, checksummed)
       clipwb models list                            models in <home>/models/

Models land in <home>/models/<org>/<name>/ with a clipwb-model.json manifest. HF_ENDPOINT and HF_TOKEN
are honoured. Use a pulled model as a teacher with --distill-pretrained <org/name> (or 'openai' for
openai/clip-vit-base-patch32), and evaluate it with clipwb eval --checkpoint <org/name>. A repository
that holds only PyTorch .pt checkpoints is pulled too (its only .pt, or the one --file names); such
weights declare no architecture, so eval and embed then need --model.

${formatFlagHelp(FLAGS)}`,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub !== 'pull' && sub !== 'list') throw new UsageError(`models: ${sub ? `unknown subcommand "${sub}"` : 'give a subcommand'} (pull, list)`);
    const { flags, positionals } = parseArgs(rest, FLAGS, `models ${sub}`);
    const dataDir = resolveDataDir({ flag: str(flags.home) });
    if (sub === 'pull') {
      const repo = positionals[0];
      if (!repo) throw new UsageError('models pull: give a repo, e.g. clipwb models pull openai/clip-vit-base-patch32');
      const bar = createProgressBar(repo, { unit: 'bytes' });
      const pulled = await pullModel(repo, { dataDir, rev: str(flags.rev), ...(str(flags.file) ? { file: str(flags.file)! } : {}), onProgress: (p) => bar.update(p.bytesDone, p.bytesTotal, p.file) });
      bar.done(`${repo} -> ${pulled.dir}`);
      return 0;
    }
    if (sub === 'list') {
      const { models, problems } = await listModels(dataDir);
      if (models.length === 0) console.log(`no models in ${dataDir}/models (pull one with clipwb models pull openai/clip-vit-base-patch32)`);
      for (const m of models) {
        const bytes = m.manifest.files.reduce((s, f) => s + f.size, 0);
        console.log(`${m.manifest.repo.padEnd(40)} ${m.manifest.weights.format.padEnd(28)} ${formatBytes(bytes).padStart(9)}  ${m.manifest.commit.slice(0, 10)}  ${m.dir}`);
      }
      for (const p of problems) console.log(`! ${p.dir}: ${p.message}`);
      return 0;
    }
    throw new UsageError(`models: unknown subcommand "${sub ?? ''}" (pull, list)`);
  },
};
