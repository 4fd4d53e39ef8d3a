export { csvChunks, csvField, csvRow, csvToString, formatCsvValue, writeCsvFile, type CsvOptions, type CsvValue } from './csv';
export { flattenJson } from './flatten';
export { runsCsv, type RunsCsvOptions } from './runs-csv';
export { SERIES_CSV_HEADER, seriesCsv, type SeriesCsvOptions } from './series-csv';
export { EVALUATIONS_LONG_HEADER, evaluationsLongCsv, evaluationsWideCsv, type EvaluationsCsvOptions } from './evaluations-csv';
