/**
 * The kernels the engine uses, chosen in one place: SIMD, or the plain-TypeScript reference
 * when GRADSCOPE_KERNELS=reference (for debugging, and to run the tests on both paths).
 */
import { referenceAdam, simdAdam, type AdamKernel } from './adam.js';
import { referenceBatchNorm, simdBatchNorm, type BatchNormKernels } from './batch-norm.js';
import { referenceDropout, simdDropout, type DropoutKernel } from './dropout.js';
import { referenceElementwise, simdElementwise, type ElementwiseKernels } from './elementwise.js';
import { referenceGatherBytesScaled, simdGatherBytesScaled, type GatherBytes } from './gather.js';
import { referenceGates, simdGates, type GateKernels } from './gates.js';
import type { Kernels } from './kernels.js';
import { referenceKernels } from './reference.js';
import { simdKernels } from './simd.js';
import {
  referenceSumOfSquares,
  simdSumOfSquares,
  type SumOfSquaresKernel,
} from './sum-of-squares.js';

export type { Kernels } from './kernels.js';
export type { AdamStep } from './adam.js';
export { referenceKernels, simdKernels };
export { setThreads, stopThreads, threadSetting, type ThreadSetting } from './threads.js';

/** Every kernel group of one implementation. */
export interface Backend {
  readonly name: 'simd' | 'reference';
  /** The matrix products. */
  readonly matrix: Kernels;
  readonly adam: AdamKernel;
  readonly sumOfSquares: SumOfSquaresKernel;
  readonly gatherBytesScaled: GatherBytes;
  readonly elementwise: ElementwiseKernels;
  readonly batchNorm: BatchNormKernels;
  readonly dropout: DropoutKernel;
  /** The LSTM's and GRU's gate arithmetic. */
  readonly gates: GateKernels;
}

export const BACKENDS: Readonly<Record<Backend['name'], Backend>> = {
  simd: {
    name: 'simd',
    matrix: simdKernels,
    adam: simdAdam,
    sumOfSquares: simdSumOfSquares,
    gatherBytesScaled: simdGatherBytesScaled,
    elementwise: simdElementwise,
    batchNorm: simdBatchNorm,
    dropout: simdDropout,
    gates: simdGates,
  },
  reference: {
    name: 'reference',
    matrix: referenceKernels,
    adam: referenceAdam,
    sumOfSquares: referenceSumOfSquares,
    gatherBytesScaled: referenceGatherBytesScaled,
    elementwise: referenceElementwise,
    batchNorm: referenceBatchNorm,
    dropout: referenceDropout,
    gates: referenceGates,
  },
};

/** Set GRADSCOPE_KERNELS=reference to train on the plain-TypeScript kernels. */
export const backend: Backend =
  BACKENDS[process.env.GRADSCOPE_KERNELS === 'reference' ? 'reference' : 'simd'];

/** The matrix products of the chosen backend. */
export const kernels: Kernels = backend.matrix;
