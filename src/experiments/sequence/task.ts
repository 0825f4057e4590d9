/**
 * One adding-problem run as a task a worker thread can take: plain data in, the run out. The
 * sequences are generated from seeds inside the task, so the models at one length train and
 * test on identical data whichever thread runs them.
 */
import { tidy } from '../../engine/tensor.js';
import { RunWriter } from '../../log/run-writer.js';
import { addingProblem } from './data.js';
import type { AddingSet } from './data.js';
import type { SequenceModel } from './model.js';
import { runSequence } from './train.js';
import type { SequenceRun } from './train.js';
import type { LiveDiagnosisArgs } from '../live-diagnosis.js';

/** A task crosses to a worker thread: its live Diagnoser's lines come back as messages. */
export interface SequenceTask extends Omit<LiveDiagnosisArgs, 'onVerdict'> {
  model: SequenceModel;
  timesteps: number;
  units: number;
  steps: number;
  batchSize: number;
  learningRate: number;
  testSamples: number;
  seed: number;
  /** Where the run's event files go. */
  logDir: string;
}

/** Seeds of the data, apart from the weights' seed so that models differ only in their cell. */
const TRAIN_DATA_SEED = 1000;
const TEST_DATA_SEED = 2000;

/** The training and test sequences of a task. */
export function taskData(task: Omit<SequenceTask, 'logDir' | 'model'>): {
  train: AddingSet;
  test: AddingSet;
} {
  const { timesteps, seed } = task;
  return {
    train: addingProblem(task.steps * task.batchSize, timesteps, TRAIN_DATA_SEED + seed),
    test: addingProblem(task.testSamples, timesteps, TEST_DATA_SEED + seed),
  };
}

export function runTask(
  task: SequenceTask,
  onStep?: (done: number) => void,
  onVerdict?: (line: string) => void,
): SequenceRun {
  const writer = new RunWriter(task.logDir, { command: 'sequence' });
  try {
    // A worker takes one task after another: each releases its tensors for the next to reuse.
    return tidy(() => runSequence({ ...task, ...taskData(task), sink: writer, onStep, onVerdict }));
  } finally {
    writer.close();
  }
}
