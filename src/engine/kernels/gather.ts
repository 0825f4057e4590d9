/**
 * A batch of byte images gathered and scaled to float32: SIMD (assembly/gather.ts) and the
 * reference. Arguments are heap byte addresses (uint8 images, int32 indices, float32 out).
 */
import { heap } from '../heap.js';
import { vectorWasm, type GatherBytes } from './vector-wasm.js';

export type { GatherBytes };

export const referenceGatherBytesScaled: GatherBytes = (images, indices, count, size, out) => {
  const buffer = heap.memory.buffer;
  const index = new Int32Array(buffer, indices, count);
  const target = new Float32Array(buffer, out, count * size);
  for (let b = 0; b < count; b++) {
    const pixels = new Uint8Array(buffer, images + index[b] * size, size);
    for (let p = 0; p < size; p++) target[b * size + p] = pixels[p] / 255;
  }
};

/** The wasm export, called as is: its signature is the kernel's. */
export const simdGatherBytesScaled: GatherBytes = vectorWasm.gatherBytesScaled;
