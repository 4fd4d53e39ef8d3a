/** Builds (or verifies) the built-in dataset with a progress bar and records it in the store. */
import { prepareBuiltin, type BuiltinDataset } from '../../src-worker/data/builtin';
import type { Store } from '../store';
import { createProgressBar } from './progress';

export async function ensureBuiltinDataset(store: Store, dataDir: string, name = 'fashion-mnist'): Promise<BuiltinDataset> {
  const bar = createProgressBar(`dataset ${name}`);
  let phase = '';
  const ds = await prepareBuiltin(`builtin:${name}`, dataDir, (p) => {
    if (p.phase !== phase) { phase = p.phase; }
    bar.update(p.done, p.total, p.phase);
  });
  bar.done(`dataset ${name} ready at ${ds.dir}`);
  if (!store.datasets.list().some((d) => d.path === ds.dir)) {
    store.datasets.add({ name: `${name} (train)`, kind: 'builtin', type: 'train', path: ds.dir, scan: { samples: ds.trainCount, dataSize: ds.dataSize, pattern: ds.trainPattern, vocab: ds.vocabDir } });
    for (const [task, dir] of Object.entries(ds.evalDirs)) {
      store.datasets.add({ name: `${name} (${task} test)`, kind: 'builtin', type: 'eval', path: dir, scan: { task, classes: ds.classnames.length } });
    }
  }
  return ds;
}
