/** The kernels the engine uses: SIMD, the reference only where asked for by name. */
import type { Kernels } from './kernels.js';
import { referenceKernels } from './reference.js';
import { simdKernels } from './simd.js';

export type { Kernels } from './kernels.js';
export { referenceKernels, simdKernels };

/** Set GRADSCOPE_KERNELS=reference to train on the plain-TypeScript kernels (for debugging). */
export const kernels: Kernels =
  process.env.GRADSCOPE_KERNELS === 'reference' ? referenceKernels : simdKernels;
