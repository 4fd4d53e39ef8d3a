export { assertSmoothingWeight, smoothEma, smoothingWarmupLength } from './smoothing';
export { DECIMATION_METHODS, decimateIndices, lttbIndices, minMaxIndices, type DecimationMethod } from './decimate';
export { SERIES_X_AXES, readSeries, type SeriesPoint, type SeriesQuery, type SeriesResult, type SeriesXAxis } from './series';
export { listMetricKeys, metricGoal, metricSummaries, type MetricGoal, type MetricSummary } from './summary';
