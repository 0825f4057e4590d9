/** The adding problem's models: one recurrent layer of `units`, then Dense(1), MSE, Adam. */
import { GRU } from '../../engine/layers/gru.js';
import { LSTM } from '../../engine/layers/lstm.js';
import type { Recurrent } from '../../engine/layers/recurrent.js';
import { SimpleRNN } from '../../engine/layers/simple-rnn.js';
import { Dense } from '../../engine/layers/dense.js';
import { Adam } from '../../engine/optimizers/adam.js';
import { Sequential } from '../../engine/sequential.js';
import { ADDING_FEATURES } from './data.js';

export const SEQUENCE_MODELS = ['simple_rnn', 'lstm', 'gru'] as const;
export type SequenceModel = (typeof SEQUENCE_MODELS)[number];

export interface SequenceModelArgs {
  model: SequenceModel;
  timesteps: number;
  /** Hidden units of the recurrent layer. */
  units: number;
  /** Adam's learning rate. */
  learningRate: number;
  seed: number;
}

const recurrentLayers: Record<SequenceModel, (units: number, timesteps: number) => Recurrent> = {
  simple_rnn: (units, timesteps) =>
    new SimpleRNN({ units, inputShape: [timesteps, ADDING_FEATURES] }),
  lstm: (units, timesteps) => new LSTM({ units, inputShape: [timesteps, ADDING_FEATURES] }),
  gru: (units, timesteps) => new GRU({ units, inputShape: [timesteps, ADDING_FEATURES] }),
};

/** The compiled model and its recurrent layer (whose hiddenGrads the probe reads). */
export function buildSequenceModel(args: SequenceModelArgs): {
  model: Sequential;
  recurrent: Recurrent;
} {
  const recurrent = recurrentLayers[args.model](args.units, args.timesteps);
  const model = new Sequential({ layers: [recurrent, new Dense({ units: 1 })], seed: args.seed });
  model.compile({
    optimizer: new Adam({ learningRate: args.learningRate }),
    loss: 'mean_squared_error',
  });
  return { model, recurrent };
}
