/** The layers. */
export { Layer } from './layer.js';
export type { LayerArgs, StepInfo } from './layer.js';
export { Variable } from './variable.js';
export { Dense } from './dense.js';
export type { DenseArgs } from './dense.js';
export { Activation } from './activation.js';
export type { ActivationArgs } from './activation.js';
export { BatchNormalization } from './batch-normalization.js';
export type { BatchNormalizationArgs } from './batch-normalization.js';
export { Dropout } from './dropout.js';
export type { DropoutArgs } from './dropout.js';
export { Flatten } from './flatten.js';
export { Recurrent } from './recurrent.js';
export type { RecurrentArgs } from './recurrent.js';
export { SimpleRNN } from './simple-rnn.js';
export type { SimpleRNNArgs } from './simple-rnn.js';
