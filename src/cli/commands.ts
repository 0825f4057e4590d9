/** The CLI's commands: one per experiment, and `seed`, which runs them all into one report. */
import { activationsExperiment } from '../experiments/activations/index.js';
import type { Experiment } from '../experiments/experiment.js';
import { fashionExperiment } from '../experiments/fashion/index.js';
import { rnnExperiment } from '../experiments/rnn/index.js';
import { titanicExperiment } from '../experiments/titanic/index.js';

/** In the order `seed` runs them and the report shows them. */
export const EXPERIMENTS: readonly Experiment[] = [
  activationsExperiment,
  titanicExperiment,
  fashionExperiment,
  rnnExperiment,
];

export const SEED_COMMAND = 'seed';
