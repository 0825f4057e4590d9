/** gradscope's public API: the engine, its instruments, the run log and the report. */
export * from './engine/layers/index.js';
export { Sequential } from './engine/sequential.js';
export type { CompileArgs, FitArgs, SequentialArgs, Evaluation } from './engine/sequential.js';
export type {
  BatchEndContext,
  Callback,
  EpochLogs,
  History,
  StepContext,
} from './engine/callbacks.js';
export type { Model } from './engine/model.js';
export { arrayDataset } from './engine/dataset.js';
export type { Dataset } from './engine/dataset.js';
export { activations, getActivation } from './engine/activations.js';
export type { ActivationName } from './engine/activations.js';
export { losses, getLoss } from './engine/losses.js';
export type { Loss, LossName } from './engine/losses.js';
export * from './engine/optimizers/index.js';
export { makeClipper, resolveClipping } from './engine/clipping.js';
export type { ClippingArgs } from './engine/clipping.js';
export { globalNorm, GradientNorms } from './engine/norms.js';
export { RandomState } from './engine/random.js';
export { Tensor, tidy } from './engine/tensor.js';
export { setThreads, stopThreads } from './engine/kernels/threads.js';
export type { ThreadSetting } from './engine/kernels/threads.js';
export { ShapeError, ValueError } from './engine/errors.js';
export { GradientProbes, TeeSink, DEFAULT_INTERVALS } from './probe/index.js';
export type { GradientProbesArgs, ProbeIntervals, RecordSink } from './probe/index.js';
export * as probeTags from './probe/tags.js';
export * from './log/index.js';
export { writeReport } from './report/html.js';
export type { Report, ReportSection, Figure, Table } from './report/types.js';
