/**
 * The data step offers the registered training sets; choosing one writes `--train-data` (the built-in
 * one by its `builtin:` spec, which the server keeps in its scan record, a folder as its path: the
 * engine reads every .tar inside) and, where a scan of a folder counted the samples, fills the epoch
 * length and `--data_size` the user has left empty. The built-in set needs neither: the engine knows them.
 */
import type { DatasetInfo } from '../../../src-shared/api/types';
import type { FieldValue } from './draft';

/** Offered even before it is built: the engine builds it on first use. */
export const BUILTIN_TRAIN_DATA = 'builtin:fashion-mnist';

export function trainDataValue(d: DatasetInfo): string {
  const spec = d.scan?.trainData;
  if (typeof spec === 'string' && spec.length > 0) return spec;
  return d.path;
}

function scanNumber(d: DatasetInfo, key: string): number | null {
  const v = d.scan?.[key];
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null;
}

export function chooseDataset(fields: Record<string, FieldValue>, d: DatasetInfo): Record<string, FieldValue> {
  const next: Record<string, FieldValue> = { ...fields, trainData: trainDataValue(d) };
  if (d.kind === 'builtin') return next;
  const samples = scanNumber(d, 'samples');
  const dataSize = scanNumber(d, 'dataSizeNeeded');
  if (samples !== null && String(fields.trainNumSamples ?? '') === '') next.trainNumSamples = String(samples);
  if (dataSize !== null && String(fields.dataSize ?? '') === '') next.dataSize = String(dataSize);
  return next;
}

/** The registered set the current `--train-data` names, if any. */
export function datasetOf(trainData: FieldValue | undefined, datasets: readonly DatasetInfo[]): DatasetInfo | undefined {
  const v = String(trainData ?? '').trim();
  return datasets.find((d) => trainDataValue(d) === v);
}
