/**
 * Training callbacks (Keras' hook points plus one of our own, `onGradients`, between
 * "gradients computed" and "optimizer applies them": where probes sit). The step context carries
 * what the step measured and did, so a callback reads it there and never from the optimizer:
 * the gradient measurement (`onGradients` and `onBatchEnd`), and the clip and update report
 * (`onBatchEnd`).
 */
import { NO_MEASURES, type StepMeasures } from './measures.js';
import type { Model } from './model.js';
import type { GradientNorms } from './norms.js';
import type { UpdateReport } from './optimizers/optimizer.js';

/** Per-epoch metrics with Keras' key names. */
export interface EpochLogs {
  loss: number;
  accuracy?: number;
  val_loss?: number;
  val_accuracy?: number;
}

export interface StepContext {
  readonly model: Model;
  /** 0-based epoch. */
  readonly epoch: number;
  /** 0-based batch within the epoch. */
  readonly batch: number;
  /** 0-based optimizer step over the whole run. */
  readonly step: number;
  /** Samples in this batch. */
  readonly batchSize: number;
  /** Batches per epoch. */
  readonly batchesPerEpoch: number;
  /** Mean loss of this batch. */
  readonly loss: number;
  /**
   * The step's gradient measurement (per-variable Σg², the global norm), taken once on first
   * use; the clipper reads the same one.
   */
  readonly gradients: GradientNorms;
}

/** Where a step sits in training, known before its forward pass. */
export type StepPosition = Pick<StepContext, 'epoch' | 'batch' | 'step' | 'batchesPerEpoch'>;

/** The context of `onBatchEnd`: the step, and what the optimizer's update did. */
export interface BatchEndContext extends StepContext {
  /**
   * The clipper's report (null without a clipper), ‖Δw‖ of each variable and Σw² of its new
   * weights; those two only at a step where some callback asked for them (`measuresWanted` →
   * updates, weights), else none.
   */
  readonly update: UpdateReport;
}

export interface Callback {
  onTrainBegin?(model: Model): void;
  onEpochBegin?(epoch: number): void;
  /**
   * Before the step's forward pass: which squared norms this callback will read at this step
   * (the step's `gradients`, the layers' `outputGradSquares`), so that backward takes them as
   * it computes them instead of a pass over them afterwards. Without it, nothing is asked for;
   * gradient and signal norms a callback reads anyway are then measured on first use, but
   * update norms and the new weights' Σw² (`update.updateNorms`, `update.weightSquares`) exist
   * only where asked for.
   */
  measuresWanted?(position: StepPosition): StepMeasures;
  /** Gradients are computed and not yet applied (clipping happens in the optimizer, after). */
  onGradients?(context: StepContext): void;
  /** The optimizer has applied the step. */
  onBatchEnd?(context: BatchEndContext): void;
  /**
   * The first step (of this `fit`, as `StepContext.step`) at which `fit` calls `onBatchEnd`,
   * read before each call: a callback that needs few steps sets it to spare a call at every
   * other one (the Diagnoser: a call in place cost about 0.5 µs a step, measured 2026-12-03,
   * where the step's work had evicted its code and data). Defaults to every step.
   */
  readonly nextBatchEnd?: number;
  onEpochEnd?(epoch: number, logs: EpochLogs): void;
  onTrainEnd?(history: History): void;
}

/** What `fit` returns: `history.loss[e]` etc., as Keras' History. */
export interface History {
  epoch: number[];
  history: { [K in keyof EpochLogs]-?: number[] };
}

export function emptyHistory(): History {
  return { epoch: [], history: { loss: [], accuracy: [], val_loss: [], val_accuracy: [] } };
}

export function recordEpoch(history: History, epoch: number, logs: EpochLogs): void {
  history.epoch.push(epoch);
  for (const key of Object.keys(history.history) as (keyof EpochLogs)[]) {
    const value = logs[key];
    if (value !== undefined) history.history[key].push(value);
  }
}

/** What `callbacks` ask of the step at `position` (their `measuresWanted`), and `also`. */
export function measuresWanted(
  callbacks: readonly Callback[],
  position: StepPosition,
  also: StepMeasures = NO_MEASURES,
): StepMeasures {
  let { gradients, signals, updates, weights } = also;
  for (const callback of callbacks) {
    const wanted = callback.measuresWanted?.(position);
    if (!wanted) continue;
    gradients ||= wanted.gradients;
    signals ||= wanted.signals;
    updates ||= wanted.updates;
    weights ||= wanted.weights;
  }
  return gradients || signals || updates || weights
    ? { gradients, signals, updates, weights }
    : NO_MEASURES;
}
