/** Builds (or verifies) the built-in dataset with a progress bar; the dataset service records it in the store. */
import type { BuiltinDataset } from '../../src-worker/data/builtin';
import type { DatasetService } from '../datasets/service';
import { createProgressBar } from './progress';

export async function ensureBuiltinDataset(datasets: DatasetService, name = 'fashion-mnist'): Promise<BuiltinDataset> {
  const bar = createProgressBar(`dataset ${name}`);
  const ds = await datasets.buildBuiltin(name, (p) => bar.update(p.done, p.total, p.phase));
  bar.done(`dataset ${name} ready at ${ds.dir}`);
  return ds;
}
