/**
 * The datasets the workbench knows, as one service for every front end: a folder the user adds, the
 * built-in dataset once built, and eval sets once downloaded are registered here and only here, so
 * the CLI and the app record the same rows (the built-in training set always carries its
 * `builtin:<name>` spec in `scan.trainData`, which is what the wizard writes into `--train-data`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { prepareBuiltin, BUILTIN_PREFIX, type BuiltinDataset } from '../../src-worker/data/builtin';
import { ConfigError } from '../../src-shared/config/train-config';
import { WorkbenchError } from '../../src-shared/errors';
import type { Dataset, DatasetType, JsonObject, Store } from '../store';
import { scanFolder } from './scan';

export type BuiltinProgress = Parameters<NonNullable<Parameters<typeof prepareBuiltin>[2]>>[0];

export interface AddFolderInput {
  /** Absolute or relative to the working directory. */
  path: string;
  type: DatasetType;
  /** Default: the folder's name. */
  name?: string;
  /** A front end's own rule for the resolved path (the API refuses /proc, /sys, /dev); throws to refuse. */
  checkPath?: (absolute: string) => void;
}

export class DatasetService {
  private readonly building = new Set<string>();

  constructor(private readonly store: Store, private readonly dataDir: string) {}

  list(): Dataset[] {
    return this.store.datasets.list();
  }

  /** Registers an existing folder with what a scan of it finds. */
  async addFolder(input: AddFolderInput): Promise<Dataset> {
    const p = path.resolve(input.path);
    if (!fs.existsSync(p) || !fs.statSync(p).isDirectory()) throw new ConfigError('path', `${p} is not an existing folder`);
    input.checkPath?.(p);
    const scan = await scanFolder(p, {});
    return this.store.datasets.add({ name: input.name ?? path.basename(p), kind: 'folder', type: input.type, path: p, scan: { ...scan } as unknown as JsonObject });
  }

  /** Scans a registered folder again (`count`: also count the samples, which reads every shard). */
  async rescan(id: number, o: { count?: boolean } = {}): Promise<Dataset> {
    const d = this.store.datasets.get(id);
    if (!d) throw new WorkbenchError(`dataset ${id} does not exist`, { kind: 'not-found', field: 'id' });
    const scan = await scanFolder(d.path, { count: o.count });
    return this.store.datasets.update(d.id, { scan: { ...scan } as unknown as JsonObject });
  }

  remove(id: number): void {
    this.store.datasets.remove(id);
  }

  /** Whether a build of the named built-in dataset is under way in this process. */
  isBuilding(name: string): boolean {
    return this.building.has(name);
  }

  /** Builds (or verifies and reuses) a built-in dataset and registers it; one build per name at a time. */
  async buildBuiltin(name: string, onProgress?: (p: BuiltinProgress) => void): Promise<BuiltinDataset> {
    if (this.building.has(name)) {
      // "cannot": the API answers 409 for it.
      throw new WorkbenchError(`the built-in dataset is already being built; it cannot be built twice at once`, { kind: 'conflict', field: 'name' });
    }
    this.building.add(name);
    try {
      const ds = await prepareBuiltin(`${BUILTIN_PREFIX}${name}`, this.dataDir, onProgress);
      this.registerBuiltin(ds);
      return ds;
    } finally {
      this.building.delete(name);
    }
  }

  /** The one registration of a built built-in dataset: its training set and one eval set per task. */
  registerBuiltin(ds: BuiltinDataset): void {
    if (this.store.datasets.list().some((d) => d.path === ds.dir)) return;
    this.store.datasets.add({
      name: `${ds.name} (train)`, kind: 'builtin', type: 'train', path: ds.dir,
      scan: { samples: ds.trainCount, dataSize: ds.dataSize, pattern: ds.trainPattern, vocab: ds.vocabDir, trainData: `${BUILTIN_PREFIX}${ds.name}` },
    });
    for (const [task, dir] of Object.entries(ds.evalDirs)) {
      this.store.datasets.add({ name: `${ds.name} (${task} test)`, kind: 'builtin', type: 'eval', path: dir, scan: { task, classes: ds.classnames.length } });
    }
  }

  /** Records a downloaded eval set's folder (once). */
  registerDownloadedEvalset(name: string, dir: string): void {
    if (!this.store.datasets.list().some((d) => d.path === dir)) this.store.datasets.add({ name, kind: 'downloaded', type: 'eval', path: dir, scan: null });
  }
}
