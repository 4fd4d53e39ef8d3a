/**
 * Pure parsers for the three nvidia-smi CSV queries (see smi-queries.ts). Each takes the raw text,
 * returns the rows it could read and a problem for every line it could not.
 */
import { isUnavailable, parseSmiNumber, parseSmiText, rowToColumns } from './smi-csv';
import { APPS_FIELDS, LIVE_FIELDS, STATIC_FIELDS } from './smi-queries';
import type { ComputeApp, GpuSample, GpuStaticInfo, SmiParseProblem, SmiParseResult } from './types';

type LineParser<T> = (line: string) => T | string;

function parseLines<T>(text: string, parseLine: LineParser<T>): SmiParseResult<T> {
  const rows: T[] = [];
  const problems: SmiParseProblem[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const parsed = parseLine(line);
    if (typeof parsed === 'string') problems.push({ line: i + 1, text: raw, reason: parsed });
    else rows.push(parsed);
  });
  return { rows, problems };
}

function parseIndex(field: string): number | undefined {
  return /^\d+$/.test(field) ? Number(field) : undefined;
}

/** Reads a nullable numeric column; a value that is neither a number nor "unavailable" is an error. */
function numberOrProblem(field: string, column: string): number | null | string {
  const n = parseSmiNumber(field);
  return n === undefined ? `${column} is not a number: "${field}"` : n;
}

export function parseGpuSampleLine(line: string): GpuSample | string {
  const cols = rowToColumns(line, LIVE_FIELDS, 'name');
  if (!cols) return `expected ${LIVE_FIELDS.length} comma-separated fields (${LIVE_FIELDS.join(', ')})`;
  const index = parseIndex(cols.index);
  if (index === undefined) return `index is not a GPU index: "${cols.index}"`;
  if (isUnavailable(cols.uuid)) return `uuid is missing for GPU ${index}`;
  const numbers = {
    utilizationPct: numberOrProblem(cols['utilization.gpu'], 'utilization.gpu'),
    memoryUsedMiB: numberOrProblem(cols['memory.used'], 'memory.used'),
    memoryTotalMiB: numberOrProblem(cols['memory.total'], 'memory.total'),
    temperatureC: numberOrProblem(cols['temperature.gpu'], 'temperature.gpu'),
    powerDrawW: numberOrProblem(cols['power.draw'], 'power.draw'),
    powerLimitW: numberOrProblem(cols['power.limit'], 'power.limit'),
  };
  for (const value of Object.values(numbers)) if (typeof value === 'string') return value;
  return {
    index,
    uuid: cols.uuid,
    name: parseSmiText(cols.name) ?? `GPU ${index}`,
    ...(numbers as Record<keyof typeof numbers, number | null>),
  };
}

/** `--query-gpu=index,uuid,name,utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw,power.limit` */
export function parseGpuSamples(text: string): SmiParseResult<GpuSample> {
  return parseLines(text, parseGpuSampleLine);
}

/** `--query-compute-apps=pid,gpu_uuid,used_memory`; prints nothing when no process uses a GPU. */
export function parseComputeApps(text: string): SmiParseResult<ComputeApp> {
  // Some driver versions print this sentence instead of nothing; it is not a malformed row.
  const withoutNotice = text.replace(/^\s*No running (compute )?processes found.*$/gim, '');
  return parseLines(withoutNotice, (line) => {
    const cols = rowToColumns(line, APPS_FIELDS, 'gpu_uuid');
    if (!cols || cols.gpu_uuid.includes(',')) return `expected ${APPS_FIELDS.length} fields (${APPS_FIELDS.join(', ')})`;
    if (!/^\d+$/.test(cols.pid)) return `pid is not a process id: "${cols.pid}"`;
    if (isUnavailable(cols.gpu_uuid)) return `gpu_uuid is missing for pid ${cols.pid}`;
    const used = numberOrProblem(cols.used_memory, 'used_memory');
    if (typeof used === 'string') return used;
    return { pid: Number(cols.pid), gpuUuid: cols.gpu_uuid, usedMemoryMiB: used };
  });
}

/**
 * `--query-gpu=index,name,memory.total,compute_cap,driver_version,pci.bus_id`, or the same without
 * `compute_cap` (pass `STATIC_FIELDS_LEGACY`) for drivers that do not know that field.
 */
export function parseGpuStatic(
  text: string,
  fields: readonly string[] = STATIC_FIELDS,
): SmiParseResult<GpuStaticInfo> {
  return parseLines(text, (line) => {
    const cols = rowToColumns(line, fields, 'name');
    if (!cols) return `expected ${fields.length} comma-separated fields (${fields.join(', ')})`;
    const index = parseIndex(cols.index ?? '');
    if (index === undefined) return `index is not a GPU index: "${cols.index ?? ''}"`;
    const memory = numberOrProblem(cols['memory.total'] ?? '', 'memory.total');
    if (typeof memory === 'string') return memory;
    const cc = cols.compute_cap === undefined ? null : parseSmiText(cols.compute_cap);
    if (cc !== null && !/^\d+\.\d+$/.test(cc)) return `compute_cap is not "major.minor": "${cc}"`;
    return {
      index,
      name: parseSmiText(cols.name ?? '') ?? `GPU ${index}`,
      memoryTotalMiB: memory,
      computeCapability: cc,
      driverVersion: parseSmiText(cols.driver_version ?? ''),
      pciBusId: parseSmiText(cols['pci.bus_id'] ?? ''),
    };
  });
}
