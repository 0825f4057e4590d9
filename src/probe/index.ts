/** Probes: gradient-flow instruments as training callbacks, and the sinks their records go to. */
export { GradientProbes } from './gradient-probes.js';
export type { GradientProbesArgs } from './gradient-probes.js';
export { DEFAULT_INTERVALS } from './intervals.js';
export { DEFAULT_THROUGH_TIME_EVERY, ThroughTimeProbe } from './recorders/through-time.js';
export type { ThroughTimeProbeArgs } from './recorders/through-time.js';
export type { Interval, ProbeGroup, ProbeIntervals } from './intervals.js';
export { TeeSink } from './sink.js';
export type { HistogramOptions, RecordSink } from './sink.js';
export { parseElementSelector, resolveElement } from './selectors.js';
export type { ElementSelector, ResolvedElement } from './selectors.js';
export {
  deadFraction,
  meanAndStd,
  saturatedFraction,
  SATURATION_DERIVATIVE,
} from './activation-stats.js';
export * from './tags.js';
