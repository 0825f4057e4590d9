/**
 * Training callbacks (Keras' hook points plus one of our own, `onGradients`, between
 * "gradients computed" and "optimizer applies them": where clipping and probes sit).
 */
import type { Sequential } from './sequential.js';

/** Per-epoch metrics with Keras' key names. */
export interface EpochLogs {
  loss: number;
  accuracy?: number;
  val_loss?: number;
  val_accuracy?: number;
}

export interface StepContext {
  readonly model: Sequential;
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
}

export interface Callback {
  onTrainBegin?(model: Sequential): void;
  onEpochBegin?(epoch: number): void;
  /** Gradients are computed and not yet applied; may modify them (clipping). */
  onGradients?(context: StepContext): void;
  /** The optimizer has applied the step. */
  onBatchEnd?(context: StepContext): void;
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
