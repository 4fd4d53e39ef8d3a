export { assertSmoothingWeight, smoothEma, smoothingWarmupLength } from '../../src-shared/metrics/smoothing';
export { DECIMATION_METHODS, decimateIndices, lttbIndices, minMaxIndices, type DecimationMethod } from '../../src-shared/metrics/decimate';
export { SERIES_X_AXES, readSeries, type SeriesPoint, type SeriesQuery, type SeriesResult, type SeriesXAxis } from './series';
export { listMetricKeys, metricGoal, metricSummaries, type MetricGoal, type MetricSummary } from './summary';
