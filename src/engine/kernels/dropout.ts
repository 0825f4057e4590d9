/**
 * Dropout masks drawn in bulk from xoshiro128** (Blackman & Vigna), four interleaved streams:
 * element e is drawn by stream e mod 4, so the SIMD kernel (assembly/dropout.ts) draws four
 * per step. The reference below is the same generator, one stream at a time, and gives the
 * same mask bit for bit. The model's MT19937 seeds the streams on every call (16 draws), so
 * masks stay reproducible from the model's seed and cost no MT19937 draw per element.
 */
import type { RandomState } from '../random.js';
import { heap } from '../heap.js';
import { onHeap } from './heap-address.js';
import { vectorWasm } from './vector-wasm.js';

/** Four streams of four 32-bit words; word k of stream i sits at k·4 + i. */
export const DROPOUT_STATE_WORDS = 16;

/**
 * mask[e] = scale where draw e ≥ ⌈rate·2³²⌉, else 0 (so P(0) = rate), and y = x ⊙ mask, over
 * the first n elements. Advances `state`.
 */
export type DropoutKernel = (
  x: Float32Array,
  mask: Float32Array,
  y: Float32Array,
  n: number,
  rate: number,
  scale: number,
  state: Uint32Array,
) => void;

/** A fresh state from `rng`; a stream that came out all zero (which xoshiro forbids) gets a 1. */
export function seedDropoutState(rng: RandomState, state: Uint32Array): Uint32Array {
  for (let k = 0; k < DROPOUT_STATE_WORDS; k++) state[k] = rng.nextUint32();
  for (let i = 0; i < 4; i++) {
    if ((state[i] | state[4 + i] | state[8 + i] | state[12 + i]) === 0) state[i] = 1;
  }
  return state;
}

/** The integer threshold: a uint32 draw u is below rate·2³² exactly when u < ⌈rate·2³²⌉. */
function threshold(rate: number): number {
  return Math.min(Math.ceil(rate * 2 ** 32), 0xffffffff);
}

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

export const referenceDropout: DropoutKernel = (x, mask, y, n, rate, scale, s) => {
  const limit = threshold(rate);
  for (let base = 0; base < n; base += 4) {
    for (let i = 0; i < 4; i++) {
      const draw = Math.imul(rotl(Math.imul(s[4 + i], 5), 7), 9) >>> 0;
      const t = s[4 + i] << 9;
      s[8 + i] ^= s[i];
      s[12 + i] ^= s[4 + i];
      s[4 + i] ^= s[8 + i];
      s[i] ^= s[12 + i];
      s[8 + i] ^= t;
      s[12 + i] = rotl(s[12 + i], 11);
      const e = base + i;
      if (e < n) {
        mask[e] = draw >= limit ? scale : 0;
        y[e] = x[e] * mask[e];
      }
    }
  }
};

/** The state's home in the heap while the kernel runs (allocated on first use). */
let statePtr = 0;

export const simdDropout: DropoutKernel = (x, mask, y, n, rate, scale, state) => {
  if (!onHeap(x, mask, y)) {
    referenceDropout(x, mask, y, n, rate, scale, state);
    return;
  }
  // The arrays' addresses survive a heap grow by this allocation; their views may not.
  const [px, pm, py] = [x.byteOffset, mask.byteOffset, y.byteOffset];
  if (statePtr === 0) statePtr = heap.alloc(DROPOUT_STATE_WORDS * 4);
  const words = new Uint32Array(heap.memory.buffer, statePtr, DROPOUT_STATE_WORDS);
  words.set(state);
  vectorWasm.dropoutMask(px, pm, py, n, threshold(rate) | 0, scale, statePtr);
  state.set(words);
};
