/**
 * Metric points: batched ingestion, resume without zig-zag, and reads of one series.
 *
 * Storage. New points are appended as rows of `metric_points` (one prepared INSERT, one transaction per
 * batch, so a batch is on disk when `append` returns). Once a series has CHUNK_SIZE live rows, its
 * lowest-step rows are packed into one `metric_chunks` blob and deleted. Invariants, per series:
 *   - live chunks never overlap in step and are each sorted by step;
 *   - every live row has a step greater than `chunked_through` (the last step of the live chunks);
 *     a late point whose step is not (a rare event) is merged into the chunk that covers it.
 * Reading a range is then: the chunks that overlap it (already sorted) followed by the rows.
 *
 * Resume. `supersedeAfter(runId, step)` marks every point with a larger step as superseded (kept,
 * never read by charts or exports) and starts a new segment, so a resumed run continues from its
 * checkpoint's step instead of drawing a second line over the first. We mark rather than delete
 * because nothing a run produced should be lost; the superseded points remain in the database.
 */
import type Database from 'better-sqlite3';
import { StoreError } from './errors';
import {
  ALL_COLUMNS,
  clipColumns,
  concatColumns,
  decodeChunk,
  emptyColumns,
  encodeChunk,
  lowerBound,
  sliceColumns,
  upperBound,
  type ColumnSelection,
  type PointColumns,
} from './metric-chunks';
import { addToSummary, summarizeColumns, type SeriesSummary } from './metric-summary';
import { mergeSorted, validateMetricPoints, type MetricPointInput } from './metric-points';

export { METRIC_KEY_MAX_LENGTH, validateMetricPoints, type MetricPointInput } from './metric-points';

export const CHUNK_SIZE = 1024;

export interface AppendResult {
  inserted: number;
  /** The run's current segment, which every inserted point carries. */
  segment: number;
}

export interface SupersedeResult {
  /** The new segment: points appended from now on carry it. */
  segment: number;
  superseded: number;
}

export interface SeriesInfo extends SeriesSummary {
  id: number;
  runId: string;
  key: string;
}

export interface PointPage {
  points: PointColumns;
  /** Pass as `afterStep` to read the next page; null when the series is exhausted. */
  nextAfterStep: number | null;
}

interface SeriesRow {
  id: number;
  run_id: string;
  key: string;
  point_count: number;
  tail_count: number;
  chunked_through: number | null;
  first_step: number | null;
  first_wall: number | null;
  last_step: number | null;
  last_value: number | null;
  last_wall: number | null;
  min_value: number | null;
  min_step: number | null;
  max_value: number | null;
  max_step: number | null;
}

interface ChunkRow {
  id: number;
  first_step: number;
  last_step: number;
  point_count: number;
  data: Buffer;
}

type TailRow = [step: number, value: number | null, wall: number, segment: number];

const MIN_STEP = 0;
const MAX_STEP = Number.MAX_SAFE_INTEGER;

function rowToInfo(row: SeriesRow): SeriesInfo {
  return {
    id: row.id,
    runId: row.run_id,
    key: row.key,
    pointCount: row.point_count,
    firstStep: row.first_step,
    firstWall: row.first_wall,
    lastStep: row.last_step,
    // NULL with points present is a NaN that SQLite could not store.
    lastValue: row.last_value === null && row.point_count > 0 ? Number.NaN : row.last_value,
    lastWall: row.last_wall,
    minValue: row.min_value,
    minStep: row.min_step,
    maxValue: row.max_value,
    maxStep: row.max_step,
  };
}

function rowToSummary(row: SeriesRow): SeriesSummary {
  const { id: _id, runId: _runId, key: _key, ...summary } = rowToInfo(row);
  return summary;
}

function tailRowsToColumns(rows: readonly TailRow[]): PointColumns {
  const out = emptyColumns(rows.length);
  rows.forEach((r, i) => {
    out.steps[i] = r[0];
    out.values[i] = r[1] === null ? Number.NaN : r[1];
    out.walls[i] = r[2];
    out.segments[i] = r[3];
  });
  return out;
}

export class MetricsRepo {
  private readonly stmts;

  constructor(private readonly db: Database.Database) {
    this.stmts = {
      runSegment: db.prepare<[string], { metric_segment: number }>('SELECT metric_segment FROM runs WHERE id = ?'),
      bumpSegment: db.prepare<[string]>('UPDATE runs SET metric_segment = metric_segment + 1 WHERE id = ?'),
      seriesByKey: db.prepare<[string, string], SeriesRow>('SELECT * FROM metric_series WHERE run_id = ? AND key = ?'),
      seriesById: db.prepare<[number], SeriesRow>('SELECT * FROM metric_series WHERE id = ?'),
      seriesOfRun: db.prepare<[string], SeriesRow>('SELECT * FROM metric_series WHERE run_id = ? ORDER BY key'),
      insertSeries: db.prepare<[string, string], SeriesRow>(
        'INSERT INTO metric_series (run_id, key) VALUES (?, ?) RETURNING *',
      ),
      saveSeries: db.prepare(
        `UPDATE metric_series SET point_count = @point_count, tail_count = @tail_count,
           chunked_through = @chunked_through, first_step = @first_step, first_wall = @first_wall,
           last_step = @last_step, last_value = @last_value, last_wall = @last_wall,
           min_value = @min_value, min_step = @min_step, max_value = @max_value, max_step = @max_step
         WHERE id = @id`,
      ),
      insertPoint: db.prepare<[number, number, number, number, number]>(
        'INSERT INTO metric_points (series_id, step, segment, value, wall_time) VALUES (?, ?, ?, ?, ?)',
      ),
      tailRange: db
        .prepare<[number, number, number], TailRow>(
          `SELECT step, value, wall_time, segment FROM metric_points
           WHERE series_id = ? AND superseded = 0 AND step >= ? AND step <= ? ORDER BY step, id`,
        )
        .raw(true),
      tailBefore: db
        .prepare<[number, number, number], TailRow>(
          `SELECT step, value, wall_time, segment FROM metric_points
           WHERE series_id = ? AND superseded = 0 AND step < ? ORDER BY step DESC, id DESC LIMIT ?`,
        )
        .raw(true),
      tailAfter: db
        .prepare<[number, number, number], TailRow>(
          `SELECT step, value, wall_time, segment FROM metric_points
           WHERE series_id = ? AND superseded = 0 AND step > ? ORDER BY step, id LIMIT ?`,
        )
        .raw(true),
      tailAtStep: db
        .prepare<[number, number], TailRow>(
          `SELECT step, value, wall_time, segment FROM metric_points
           WHERE series_id = ? AND superseded = 0 AND step = ? ORDER BY id`,
        )
        .raw(true),
      tailCount: db.prepare<[number], { n: number }>(
        'SELECT COUNT(*) AS n FROM metric_points WHERE series_id = ? AND superseded = 0',
      ),
      nthTailStep: db.prepare<[number, number], { step: number }>(
        'SELECT step FROM metric_points WHERE series_id = ? AND superseded = 0 ORDER BY step, id LIMIT 1 OFFSET ?',
      ),
      deleteTailThrough: db.prepare<[number, number]>(
        'DELETE FROM metric_points WHERE series_id = ? AND superseded = 0 AND step <= ?',
      ),
      supersedeTail: db.prepare<[number, number]>(
        'UPDATE metric_points SET superseded = 1 WHERE series_id = ? AND superseded = 0 AND step > ?',
      ),
      chunksRange: db.prepare<[number, number, number], ChunkRow>(
        `SELECT id, first_step, last_step, point_count, data FROM metric_chunks
         WHERE series_id = ? AND superseded = 0 AND first_step <= ? AND last_step >= ? ORDER BY first_step`,
      ),
      chunksBefore: db.prepare<[number, number], ChunkRow>(
        `SELECT id, first_step, last_step, point_count, data FROM metric_chunks
         WHERE series_id = ? AND superseded = 0 AND first_step < ? ORDER BY first_step DESC`,
      ),
      chunksAfter: db.prepare<[number, number, number], ChunkRow>(
        `SELECT id, first_step, last_step, point_count, data FROM metric_chunks
         WHERE series_id = ? AND superseded = 0 AND last_step > ? ORDER BY first_step LIMIT ?`,
      ),
      chunkCovering: db.prepare<[number, number], ChunkRow>(
        `SELECT id, first_step, last_step, point_count, data FROM metric_chunks
         WHERE series_id = ? AND superseded = 0 AND first_step <= ? ORDER BY first_step DESC LIMIT 1`,
      ),
      firstChunk: db.prepare<[number], ChunkRow>(
        `SELECT id, first_step, last_step, point_count, data FROM metric_chunks
         WHERE series_id = ? AND superseded = 0 ORDER BY first_step LIMIT 1`,
      ),
      straddlingChunks: db.prepare<[number, number, number], ChunkRow>(
        `SELECT id, first_step, last_step, point_count, data FROM metric_chunks
         WHERE series_id = ? AND superseded = 0 AND first_step <= ? AND last_step > ?`,
      ),
      supersedeChunksAfter: db.prepare<[number, number]>(
        'UPDATE metric_chunks SET superseded = 1 WHERE series_id = ? AND superseded = 0 AND first_step > ?',
      ),
      pointsInChunksAfter: db.prepare<[number, number], { n: number }>(
        `SELECT COALESCE(SUM(point_count), 0) AS n FROM metric_chunks
         WHERE series_id = ? AND superseded = 0 AND first_step > ?`,
      ),
      maxChunkStep: db.prepare<[number], { step: number | null }>(
        'SELECT MAX(last_step) AS step FROM metric_chunks WHERE series_id = ? AND superseded = 0',
      ),
      insertChunk: db.prepare<[number, number, number, number, number, Buffer]>(
        `INSERT INTO metric_chunks (series_id, superseded, first_step, last_step, point_count, data)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      updateChunk: db.prepare<[number, number, number, Buffer, number]>(
        'UPDATE metric_chunks SET first_step = ?, last_step = ?, point_count = ?, data = ? WHERE id = ?',
      ),
    };
  }

  private segmentOf(runId: string): number {
    const row = this.stmts.runSegment.get(runId);
    if (!row) {
      throw new StoreError('NOT_FOUND', `metrics for unknown run ${JSON.stringify(runId)}: create the run before sending metrics`);
    }
    return row.metric_segment;
  }

  private saveSeries(id: number, tailCount: number, chunkedThrough: number | null, s: SeriesSummary): void {
    this.stmts.saveSeries.run({
      id,
      point_count: s.pointCount,
      tail_count: tailCount,
      chunked_through: chunkedThrough,
      first_step: s.firstStep,
      first_wall: s.firstWall,
      last_step: s.lastStep,
      last_value: s.lastValue !== null && Number.isNaN(s.lastValue) ? null : s.lastValue,
      last_wall: s.lastWall,
      min_value: s.minValue,
      min_step: s.minStep,
      max_value: s.maxValue,
      max_step: s.maxStep,
    });
  }

  /**
   * Appends a batch of points of one run, in one transaction: when this returns, the batch is
   * committed. The whole batch is validated first, so a bad point rejects the batch, not half of it.
   */
  append(runId: string, points: readonly MetricPointInput[]): AppendResult {
    validateMetricPoints(points);
    return this.db.transaction((): AppendResult => {
      const segment = this.segmentOf(runId);
      const byKey = new Map<string, MetricPointInput[]>();
      for (const p of points) {
        const list = byKey.get(p.key);
        if (list) list.push(p);
        else byKey.set(p.key, [p]);
      }
      for (const [key, list] of byKey) this.appendToSeries(runId, key, list, segment);
      return { inserted: points.length, segment };
    }).immediate();
  }

  private appendToSeries(runId: string, key: string, points: readonly MetricPointInput[], segment: number): void {
    const row = this.stmts.seriesByKey.get(runId, key) ?? (this.stmts.insertSeries.get(runId, key) as SeriesRow);
    const summary = rowToSummary(row);
    let tailCount = row.tail_count;
    const chunkedThrough = row.chunked_through;
    const late: MetricPointInput[] = [];
    for (const p of points) {
      addToSummary(summary, p.step, p.value, p.wallTime);
      if (chunkedThrough !== null && p.step <= chunkedThrough) {
        late.push(p);
      } else {
        this.stmts.insertPoint.run(row.id, p.step, segment, p.value, p.wallTime);
        tailCount += 1;
      }
    }
    if (late.length > 0) this.mergeLatePoints(row.id, late, segment);
    let through = chunkedThrough;
    while (tailCount >= CHUNK_SIZE) {
      const packed = this.packOldestRows(row.id);
      tailCount -= packed.count;
      through = packed.lastStep;
    }
    this.saveSeries(row.id, tailCount, through, summary);
  }

  /** Moves the CHUNK_SIZE lowest-step live rows (and any others sharing the last step) into a chunk. */
  private packOldestRows(seriesId: number): { count: number; lastStep: number } {
    const boundary = this.stmts.nthTailStep.get(seriesId, CHUNK_SIZE - 1);
    if (!boundary) throw new Error(`metric series ${seriesId}: tail_count is out of step with its rows`);
    const rows = this.stmts.tailRange.all(seriesId, MIN_STEP, boundary.step);
    const columns = tailRowsToColumns(rows);
    const first = columns.steps[0] as number;
    this.stmts.insertChunk.run(seriesId, 0, first, boundary.step, rows.length, encodeChunk(columns));
    this.stmts.deleteTailThrough.run(seriesId, boundary.step);
    return { count: rows.length, lastStep: boundary.step };
  }

  /** Points at or below chunked_through go into the chunk that covers their step, keeping chunks disjoint. */
  private mergeLatePoints(seriesId: number, late: readonly MetricPointInput[], segment: number): void {
    const byChunk = new Map<number, { chunk: ChunkRow; points: MetricPointInput[] }>();
    for (const p of late) {
      const chunk = this.stmts.chunkCovering.get(seriesId, p.step) ?? this.stmts.firstChunk.get(seriesId);
      if (!chunk) throw new Error(`metric series ${seriesId}: chunked_through is set but no chunk exists`);
      const entry = byChunk.get(chunk.id);
      if (entry) entry.points.push(p);
      else byChunk.set(chunk.id, { chunk, points: [p] });
    }
    for (const { chunk, points } of byChunk.values()) {
      const sorted = [...points].sort((a, b) => a.step - b.step);
      const add = emptyColumns(sorted.length);
      sorted.forEach((p, i) => {
        add.steps[i] = p.step;
        add.values[i] = p.value;
        add.walls[i] = p.wallTime;
        add.segments[i] = segment;
      });
      const merged = mergeSorted(decodeChunk(chunk.data, `metric chunk ${chunk.id}`), add);
      const n = merged.steps.length;
      this.stmts.updateChunk.run(merged.steps[0] as number, merged.steps[n - 1] as number, n, encodeChunk(merged), chunk.id);
    }
  }

  /**
   * Marks every point of the run with a step greater than `step` as superseded and starts a new
   * segment. Call it when a run resumes from a checkpoint taken at `step`.
   */
  supersedeAfter(runId: string, step: number): SupersedeResult {
    if (!Number.isSafeInteger(step) || step < 0) {
      throw new StoreError('INVALID_INPUT', `supersede step: expected the checkpoint's non-negative integer step, got ${String(step)}`);
    }
    return this.db.transaction((): SupersedeResult => {
      this.segmentOf(runId);
      this.stmts.bumpSegment.run(runId);
      let superseded = 0;
      for (const row of this.stmts.seriesOfRun.all(runId)) {
        superseded += this.stmts.supersedeTail.run(row.id, step).changes;
        superseded += this.stmts.pointsInChunksAfter.get(row.id, step)?.n ?? 0;
        this.stmts.supersedeChunksAfter.run(row.id, step);
        superseded += this.splitStraddlingChunks(row.id, step);
        this.recomputeSeries(row.id);
      }
      return { segment: this.segmentOf(runId), superseded };
    }).immediate();
  }

  private splitStraddlingChunks(seriesId: number, step: number): number {
    let moved = 0;
    for (const chunk of this.stmts.straddlingChunks.all(seriesId, step, step)) {
      const cols = decodeChunk(chunk.data, `metric chunk ${chunk.id}`);
      const cut = upperBound(cols.steps, step);
      const keep = sliceColumns(cols, 0, cut);
      const drop = sliceColumns(cols, cut, cols.steps.length);
      const keepN = keep.steps.length;
      this.stmts.updateChunk.run(keep.steps[0] as number, keep.steps[keepN - 1] as number, keepN, encodeChunk(keep), chunk.id);
      const dropN = drop.steps.length;
      this.stmts.insertChunk.run(seriesId, 1, drop.steps[0] as number, drop.steps[dropN - 1] as number, dropN, encodeChunk(drop));
      moved += dropN;
    }
    return moved;
  }

  private recomputeSeries(seriesId: number): void {
    const all = this.readRange(seriesId, MIN_STEP, MAX_STEP);
    const tail = this.stmts.tailCount.get(seriesId)?.n ?? 0;
    const through = this.stmts.maxChunkStep.get(seriesId)?.step ?? null;
    this.saveSeries(seriesId, tail, through, summarizeColumns(all));
  }

  /** Every series of the run, sorted by key, with its summary. */
  listSeries(runId: string): SeriesInfo[] {
    return this.stmts.seriesOfRun.all(runId).map(rowToInfo);
  }

  getSeries(runId: string, key: string): SeriesInfo | undefined {
    const row = this.stmts.seriesByKey.get(runId, key);
    return row ? rowToInfo(row) : undefined;
  }

  getSeriesById(seriesId: number): SeriesInfo | undefined {
    const row = this.stmts.seriesById.get(seriesId);
    return row ? rowToInfo(row) : undefined;
  }

  /**
   * Live points with fromStep <= step <= toStep, sorted by step, read in one snapshot. Columns left out
   * of `select` come back empty.
   */
  readRange(
    seriesId: number,
    fromStep: number = MIN_STEP,
    toStep: number = MAX_STEP,
    select: ColumnSelection = ALL_COLUMNS,
  ): PointColumns {
    return this.db.transaction((): PointColumns => {
      const parts: PointColumns[] = [];
      for (const chunk of this.stmts.chunksRange.all(seriesId, toStep, fromStep)) {
        parts.push(clipColumns(decodeChunk(chunk.data, `metric chunk ${chunk.id}`), fromStep, toStep));
      }
      parts.push(tailRowsToColumns(this.stmts.tailRange.all(seriesId, fromStep, toStep)));
      return concatColumns(parts, select);
    })();
  }

  /** Up to `count` live points just before `step`, sorted by step (for smoothing warm-up). */
  readBefore(seriesId: number, step: number, count: number, select: ColumnSelection = ALL_COLUMNS): PointColumns {
    if (count <= 0) return emptyColumns();
    return this.db.transaction((): PointColumns => {
      const tailRows = this.stmts.tailBefore.all(seriesId, step, count).reverse();
      const parts: PointColumns[] = [tailRowsToColumns(tailRows)];
      let have = tailRows.length;
      if (have < count) {
        for (const chunk of this.stmts.chunksBefore.iterate(seriesId, step)) {
          const cols = decodeChunk(chunk.data, `metric chunk ${chunk.id}`);
          const below = sliceColumns(cols, 0, lowerBound(cols.steps, step));
          parts.unshift(below);
          have += below.steps.length;
          if (have >= count) break;
        }
      }
      const all = concatColumns(parts, select);
      const n = all.steps.length;
      if (n <= count) return all;
      return {
        steps: all.steps.subarray(n - count),
        values: all.values.subarray(n - count),
        walls: select.walls ? all.walls.subarray(n - count) : all.walls,
        segments: select.segments ? all.segments.subarray(n - count) : all.segments,
      };
    })();
  }

  /**
   * About `maxPoints` live points with step > afterStep, never splitting one step across pages. For
   * streaming exports: each page is its own short read, so no statement stays open between pages
   * and ingestion can go on meanwhile.
   */
  readPage(seriesId: number, afterStep: number | null, maxPoints: number): PointPage {
    const after = afterStep ?? -1;
    const limit = Math.max(1, Math.floor(maxPoints));
    return this.db.transaction((): PointPage => {
      const chunks = this.stmts.chunksAfter.all(seriesId, after, Math.ceil(limit / CHUNK_SIZE));
      if (chunks.length > 0) {
        const parts = chunks.map((c) => {
          const cols = decodeChunk(c.data, `metric chunk ${c.id}`);
          return sliceColumns(cols, upperBound(cols.steps, after), cols.steps.length);
        });
        const last = chunks[chunks.length - 1] as ChunkRow;
        return { points: concatColumns(parts), nextAfterStep: last.last_step };
      }
      const rows = this.stmts.tailAfter.all(seriesId, after, limit);
      if (rows.length === 0) return { points: emptyColumns(), nextAfterStep: null };
      if (rows.length < limit) {
        return { points: tailRowsToColumns(rows), nextAfterStep: (rows[rows.length - 1] as TailRow)[0] };
      }
      // A full page may have cut the last step short: drop it, or read it whole if it is all there is.
      const lastStep = (rows[rows.length - 1] as TailRow)[0];
      const complete = rows.filter((r) => r[0] !== lastStep);
      if (complete.length > 0) {
        return { points: tailRowsToColumns(complete), nextAfterStep: (complete[complete.length - 1] as TailRow)[0] };
      }
      return { points: tailRowsToColumns(this.stmts.tailAtStep.all(seriesId, lastStep)), nextAfterStep: lastStep };
    })();
  }
}
