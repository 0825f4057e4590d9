/** TensorBoard-compatible run logs: writing (RunWriter) and reading (DirectoryProvider). */
export { DirectoryProvider } from './provider.js';
export type { RunProvider } from './provider.js';
export type { HistogramPoint, RunTags, ScalarColumns, ScalarPoint } from './points.js';
export { MemoryProvider, MemoryRun } from './memory-provider.js';
export { RunWriter, type HistogramWriteArgs } from './run-writer.js';
export {
  computeHistogram,
  DEFAULT_BUCKET_COUNT,
  histogramBuckets,
  type Bucket,
  type HistogramSummary,
} from './histograms.js';
export { EventFileWriter } from './event-writer.js';
export { parseEvents, readEventFile, type ReadWarning } from './event-reader.js';
