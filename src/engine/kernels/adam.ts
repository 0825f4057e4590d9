/**
 * Adam's update over a whole tensor: SIMD (assembly/adam.ts) and the plain-TypeScript
 * reference that defines it.
 */
import type { Tensor } from '../tensor.js';
import {
  ADAM_SPLIT_MIN,
  adamBlocks,
  adamSplitPlan,
  PIECES,
  splitAdam,
  type AdamBlocks,
  type AdamTask,
} from './threads.js';
import { vectorWasm } from './vector-wasm.js';
import { NATIVE_ADAM_MIN, nativeAdam } from './native.js';
import { heap } from '../heap.js';

export interface AdamStep {
  /** lr·√(1 − β2ᵗ)/(1 − β1ᵗ), the bias-corrected step size. */
  lrT: number;
  /** 1 − β1. */
  a1: number;
  /** 1 − β2. */
  a2: number;
  epsilon: number;
}

/**
 * Where an update puts Σ w² of the weights it wrote, when a reader asked for it
 * (StepMeasures.weights) and the update takes it (Adam's): the probes' weight norms and
 * TerminateOnNonFinite's check then need no pass over those weights.
 */
export interface WeightSquares {
  /** Set by the update; undefined until then (an update that does not take it leaves it so). */
  value: number | undefined;
}

/**
 * m += (g − m)·a1;  v += (g² − v)·a2;  Δ = lrT·m/(√v + ε);  w −= Δ. With `measure`, returns
 * Σ Δ² (else 0); with `weights`, may put Σ w² of the new weights there (else leaves it).
 */
export type AdamKernel = (
  w: Tensor,
  g: Tensor,
  m: Tensor,
  v: Tensor,
  step: AdamStep,
  measure: boolean,
  weights: WeightSquares | null,
) => number;

export const referenceAdam: AdamKernel = (
  wt,
  gt,
  mt,
  vt,
  { lrT, a1, a2, epsilon },
  measure,
  weights,
) => {
  const w = wt.data,
    g = gt.data,
    m = mt.data,
    v = vt.data;
  let squared = 0;
  let weightSquares = 0;
  for (let i = 0; i < w.length; i++) {
    m[i] += (g[i] - m[i]) * a1;
    v[i] += (g[i] * g[i] - v[i]) * a2;
    const delta = (lrT * m[i]) / (Math.sqrt(v[i]) + epsilon);
    w[i] -= delta;
    squared += delta * delta;
    weightSquares += w[i] * w[i];
  }
  if (weights) weights.value = weightSquares;
  return measure ? squared : 0;
};

/** The native update, with the wasm one's bits, where it runs (native.ts). */
const fastAdam = nativeAdam(heap.memory);

/** adamUpdate's ways to take Σ Δ² (assembly/adam.ts). */
const UNMEASURED = 0;
const GUARDED = 1;
const SCALED = 2;

/**
 * The update takes Σ w² of the weights it writes (`WeightSquares`): squares summed in float32
 * groups of eight a lane (assembly/adam.ts adamLoop, native/adam.c alike), checked here
 * (`weightTotal`), so that no pass after the update reads the weights again. Natively it costs
 * less than such a pass at every size; in wasm only from this many weights (bench/update-
 * squares.ts, 2026-12-03: +1.4 against +2.8 µs an update natively at width 32, +10 against +129
 * at width 256; in wasm +5.0 against +2.6 and +131 against +251), so below it `Optimizer.apply`
 * measures the weights after a wasm update. With float64 squares, as it was taken before, the
 * conversions cost more than a pass natively too below 65,536 weights.
 */
export const WASM_WEIGHT_SQUARES_MIN = 65536;

/** Whether the SIMD update of n weights takes their Σ w² when asked (see above). */
export function takesWeightSquares(n: number): boolean {
  return fastAdam !== null || n >= WASM_WEIGHT_SQUARES_MIN;
}

/**
 * A float64 per block of an update (adamBlocks: at most PIECES), on the heap, where the kernels
 * put each block's Σ w²; made at the first update asked for them.
 */
let blockSquares: Float64Array | null = null;

export const simdAdam: AdamKernel = (w, g, m, v, step, measure, weights) => {
  const { lrT, a1, a2, epsilon } = step;
  const scale = measure ? stepSquareScale(step) : 0;
  const mode = !measure ? UNMEASURED : scale > 0 ? SCALED : GUARDED;
  const n = w.size;
  const fused = weights !== null && takesWeightSquares(n);
  if (fused) blockSquares ??= heap.f64(heap.alloc(8 * PIECES), PIECES);
  const squares = fused ? blockSquares!.byteOffset : 0;
  const task = {
    w: w.ptr,
    g: g.ptr,
    m: m.ptr,
    v: v.ptr,
    n,
    mode,
    lrT,
    a1,
    a2,
    epsilon,
    scale,
    squares,
  };
  // Shared with the helper thread where products are (threads.ts).
  const plan = adamSplitPlan(n);
  if (plan !== null) {
    const total = blockTotal(splitAdam(task, plan, fastAdam ?? vectorWasm.adamUpdate));
    if (fused) weights.value = weightTotal(w, plan, blockSquares!);
    return total;
  }
  if ((!measure && !fused) || n < ADAM_SPLIT_MIN) {
    const total = adamRange(task, 0, n);
    if (fused) weights.value = weightTotal(w, { size: n, chunks: 1 }, blockSquares!);
    return total;
  }
  // Measured by the same blocks as a split update, so that Σ Δ² and Σ w² have one value per
  // thread count.
  const { size, chunks } = adamBlocks(n);
  const sums = new Float64Array(chunks);
  const weightSums = new Float64Array(chunks);
  for (let k = 0; k < chunks; k++) {
    sums[k] = adamRange(task, k * size, Math.min(size, n - k * size));
    if (fused) weightSums[k] = blockSquares![0];
  }
  if (fused) weights.value = weightTotal(w, { size, chunks }, weightSums);
  return blockTotal(sums);
};

/**
 * Σ w² of the weights `w` after an update in `chunks` blocks of `size` (the last may be
 * shorter), from the float32-groups sums its blocks took (`sums`, in block order), each the
 * exact sum instead where its float32 squares may have overflowed or underflowed.
 */
function weightTotal(w: Tensor, { size, chunks }: AdamBlocks, sums: Float64Array): number {
  let total = 0;
  for (let k = 0; k < chunks; k++) {
    const from = k * size;
    const count = Math.min(size, w.size - from);
    total += vectorWasm.checkedSquares(sums[k], w.ptr + 4 * from, count);
  }
  return total;
}

/**
 * The update of `count` weights of `task` from `from` on; their Σ Δ² as `task.mode` says, and
 * their Σ w² at `task.squares` (unless 0).
 */
function adamRange(task: AdamTask, from: number, count: number): number {
  const bytes = from * 4;
  const { lrT, a1, a2, epsilon, mode, scale } = task;
  const update = fastAdam !== null && count >= NATIVE_ADAM_MIN ? fastAdam : vectorWasm.adamUpdate;
  return update(
    task.w + bytes,
    task.g + bytes,
    task.m + bytes,
    task.v + bytes,
    count,
    lrT,
    a1,
    a2,
    epsilon,
    mode,
    scale,
    task.squares,
  );
}

/** The blocks' Σ Δ², summed in block order. */
function blockTotal(sums: Float64Array): number {
  let total = 0;
  for (const sum of sums) total += sum;
  return total;
}

/** The step whose scale was found last, and that scale (see stepSquareScale). */
const lastScaled = { lrT: NaN, a1: NaN, a2: NaN, epsilon: NaN, scale: 0 };

/**
 * squareScale of `step`, found once for all the variables of one optimizer step, which share
 * their step size: finding it takes about 160 ns (log2 and a power), 16 variables 2.5 µs.
 */
function stepSquareScale(step: AdamStep): number {
  const last = lastScaled;
  const { lrT, a1, a2, epsilon } = step;
  if (lrT !== last.lrT || a1 !== last.a1 || a2 !== last.a2 || epsilon !== last.epsilon) {
    last.lrT = lrT;
    last.a1 = a1;
    last.a2 = a2;
    last.epsilon = epsilon;
    last.scale = squareScale(step);
  }
  return last.scale;
}

/**
 * log2 of the largest scaled Δ (see squareScale): its square, 2⁸⁸, summed over the 2³⁰ floats a
 * 4 GiB memory can hold, stays below float32's 2¹²⁸ with 2¹⁰ to spare, and a scaled square
 * becomes subnormal (slow, though still exact enough) only where |Δ| < 2⁻¹⁰⁷ of the bound.
 */
const LARGEST_SCALED_EXPONENT = 44;

/** The exponents a float32 power of two can take, with room for its square in float64. */
const SCALE_EXPONENTS = 120;

/**
 * The kernel's guards (assembly/adam.ts): a gradient below this is left out of v, and a moment
 * below its square is zeroed.
 */
const SQRT_TINY = 1e-15;

/**
 * The power of two by which the SIMD kernel multiplies each Δ before squaring it for Σ Δ² (so
 * that no square is subnormal, without a test per value), or 0 where no bound on |Δ| is known
 * (the kernel then zeroes each Δ too small to square). The bound: with m = a1·Σ β1ᵏ g₋ₖ and
 * v = a2·Σ β2ᵏ g₋ₖ² (both start at 0), Cauchy–Schwarz gives |m| ≤ B·√v, B = a1/√(a2·(1 − β1²/β2)),
 * where β1² < β2 (B = 7.27 with Keras's defaults). The guards change that by at most
 * (B + 1)·SQRT_TINY: the gradients below SQRT_TINY that m has and v has not add less than
 * SQRT_TINY to |m|, and a v zeroed below SQRT_TINY² held less than B·SQRT_TINY of m. So
 * |Δ| = lrT·|m|/(√v + ε) ≤ lrT·(B + (B + 1)·SQRT_TINY/ε), which with a tiny ε is far above
 * lrT·B (test/engine/vector-kernels.test.ts).
 */
export function squareScale({ lrT, a1, a2, epsilon }: AdamStep): number {
  const beta1 = 1 - a1;
  const beta2 = 1 - a2;
  const ratio = (beta1 * beta1) / beta2;
  if (!(ratio < 1) || !(lrT > 0) || !Number.isFinite(lrT)) return 0;
  const moments = a1 / Math.sqrt(a2 * (1 - ratio));
  const bound = lrT * (moments + ((moments + 1) * SQRT_TINY) / epsilon);
  const exponent = LARGEST_SCALED_EXPONENT - Math.ceil(Math.log2(bound));
  return Math.abs(exponent) <= SCALE_EXPONENTS ? 2 ** exponent : 0;
}
