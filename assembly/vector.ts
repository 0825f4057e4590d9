// The vector module (build/vector.wasm): every kernel over whole tensors, one file per concern.
export { adamUpdate } from './adam';
export { sumOfSquares, sumsOfSquares, checkedSquares } from './sum-of-squares';
export { gatherBytesScaled } from './gather';
export { biasActivation, activationGrad, activationGradSquares } from './activations';
export { expArray } from './exp';
export { sumRowsInto, multiply } from './rows';
export { columnMoments, normalize, gradSums, inputGrad } from './batch-norm';
export { dropoutMask } from './dropout';
export { lstmForward, lstmBackward, gruGates, gruOutput, gruOutputGrad, gruResetAfterGrad } from './gates';
