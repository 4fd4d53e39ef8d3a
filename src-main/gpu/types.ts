/** One row of the live query (`LIVE_FIELDS`). Unreadable values are null, never 0. */
export interface GpuSample {
  index: number;
  uuid: string;
  name: string;
  utilizationPct: number | null;
  memoryUsedMiB: number | null;
  memoryTotalMiB: number | null;
  temperatureC: number | null;
  powerDrawW: number | null;
  powerLimitW: number | null;
}

/** One row of `--query-compute-apps`. */
export interface ComputeApp {
  pid: number;
  gpuUuid: string;
  usedMemoryMiB: number | null;
}

/** One row of the static query; `computeCapability` is null where the driver cannot report it. */
export interface GpuStaticInfo {
  index: number;
  name: string;
  memoryTotalMiB: number | null;
  /** "major.minor", e.g. "8.6". */
  computeCapability: string | null;
  driverVersion: string | null;
  pciBusId: string | null;
}

/** A line the parser could not read: reported, never thrown, so one bad line does not hide the others. */
export interface SmiParseProblem {
  /** 1-based line number in the text given to the parser. */
  line: number;
  text: string;
  reason: string;
}

export interface SmiParseResult<T> {
  rows: T[];
  problems: SmiParseProblem[];
}
