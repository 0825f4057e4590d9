/**
 * Gradient clipping, as a `GradientClipper` the optimizer applies before its update, so it works
 * with every optimizer: `new Adam({ clipper: makeClipper({ globalClipnorm: 1 }) })`.
 *
 * Measure apart from scale, as PyTorch's clip_grad splits get_total_norm from
 * clip_grads_with_norm_: the step's `GradientNorms` (norms.ts) measures the global norm and each
 * variable's Σg² once; the clipper takes that measurement and only scales. Every mode modifies the
 * gradients in place and reports the global L2 norm √Σg² over all trainable gradients before
 * (the measurement) and after clipping (summed while scaling, over the stored float32 values). Non-finite gradients: with `errorIfNonfinite` a `NonFiniteGradientError` is thrown;
 * without it (the default) every gradient of that step is set to 0, so one bad batch cannot write
 * NaN into the weights (PyTorch would instead scale by a NaN factor and poison them). Plain SGD
 * then leaves the weights unchanged; Adam, RMSprop and momentum still move by their state.
 */
import { GradscopeError, ValueError } from './errors.js';
import type { Variable } from './layers/variable.js';
import { countNonFinite } from './norms.js';
import type { GradientNorms } from './norms.js';
import type { ClipReport, GradientClipper } from './optimizers/optimizer.js';
import type { Shape } from './tensor.js';

export interface ClippingArgs {
  /** Keras' clipnorm: each gradient tensor g ← g·c/‖g‖ when ‖g‖ > c. Defaults to off. */
  clipnorm?: number;
  /** Keras' clipvalue: each element g ← clamp(g, −c, c). Defaults to off. */
  clipvalue?: number;
  /**
   * PyTorch's clip_grad_norm_: with the global norm N = √Σ over all tensors of Σg², every
   * g ← g·min(1, c/(N + 1e-6)). Defaults to off.
   */
  globalClipnorm?: number;
  /**
   * Adaptive gradient clipping (Brock et al. 2021, NFNets), clipping factor λ. Unit-wise: the
   * unit of a kernel [in, out] is an output column (its fan-in vector); a tensor whose shape has
   * at most one dimension above 1 (a bias, BatchNormalization's gamma and beta) is one unit;
   * beyond rank 2 the unit is the last axis. max = λ·max(‖W_unit‖, 1e-3) and, when ‖g_unit‖ ≥ max,
   * g_unit ← g_unit·max/max(‖g_unit‖, 1e-6). As DeepMind's nfnets/agc_optax.py and timm's
   * adaptive_clip_grad. Defaults to off.
   */
  agc?: number;
  /** Throw when the global gradient norm is NaN or Infinity (PyTorch's flag). Defaults to false. */
  errorIfNonfinite?: boolean;
}

/** PyTorch's clip_grad_norm_ adds this to the total norm before dividing. */
export const GLOBAL_CLIPNORM_EPSILON = 1e-6;
/** AGC's floor on a unit's weight norm, so zero-initialized weights (biases) can still move. */
export const AGC_WEIGHT_EPSILON = 1e-3;
/** AGC's floor on a unit's gradient norm in the division (never engaged when λ ≥ 1e-3). */
export const AGC_GRAD_EPSILON = 1e-6;

/** Thrown by a clipper with `errorIfNonfinite` when the gradients hold NaN or Infinity. */
export class NonFiniteGradientError extends GradscopeError {
  override name = 'NonFiniteGradientError';
}

/**
 * The factor globalClipnorm scales every gradient by, given the measured global norm `total`:
 * min(1, maxNorm/(total + 1e-6)), as PyTorch's clip_grads_with_norm_ (and the article's clip_grads).
 */
export function globalClipScale(total: number, maxNorm: number): number {
  return Math.min(1, maxNorm / (total + GLOBAL_CLIPNORM_EPSILON));
}

type Mode = 'clipnorm' | 'clipvalue' | 'globalClipnorm' | 'agc';
const MODES: readonly Mode[] = ['clipnorm', 'clipvalue', 'globalClipnorm', 'agc'];

/**
 * Clips one variable's gradient in place, given its Σg² and the global norm; returns Σg² after.
 * `limit` is the mode's value (c or λ).
 */
type ClipOne = (
  variable: Variable,
  g: Float32Array,
  squares: number,
  total: number,
  limit: number,
) => number;

const clippers: Readonly<Record<Mode, ClipOne>> = {
  clipnorm: (_v, g, squares, _total, c) => {
    const norm = Math.sqrt(squares);
    return norm > c ? scaleInPlace(g, c / norm) : squares;
  },
  clipvalue: (_v, g, _squares, _total, c) => {
    let after = 0;
    for (let i = 0; i < g.length; i++) {
      const clipped = Math.fround(Math.min(Math.max(g[i], -c), c));
      g[i] = clipped;
      after += clipped * clipped;
    }
    return after;
  },
  globalClipnorm: (_v, g, squares, total, c) => {
    const scale = globalClipScale(total, c);
    return scale < 1 ? scaleInPlace(g, scale) : squares;
  },
  agc: (variable, g, _squares, _total, lambda) =>
    clipUnitwise(variable.value.data, g, unitCount(variable.shape), lambda),
};

/** A validated clipping request: at most one mode, its limit, and the non-finite policy. */
export interface ClippingSpec {
  /** null: only check for non-finite gradients. */
  readonly mode: Mode | null;
  /** The mode's value (c or λ); 0 without a mode. */
  readonly limit: number;
  readonly errorIfNonfinite: boolean;
}

/**
 * Validates `args` without building anything: null when no mode is set and `errorIfNonfinite`
 * is off. Throws a ValueError when more than one mode is set or a value is not a positive finite
 * number. Callers that must fail early (before loading data) call this; `makeClipper` calls it too.
 */
export function resolveClipping(args: ClippingArgs = {}): ClippingSpec | null {
  const set = MODES.filter((mode) => args[mode] !== undefined);
  if (set.length > 1) {
    throw new ValueError(
      `Clipping: set only one of ${MODES.join(', ')}. ` +
        `Received: ${set.map((mode) => `${mode}=${args[mode]}`).join(', ')}`,
    );
  }
  for (const mode of set) {
    const value = args[mode]!;
    if (!(value > 0) || !Number.isFinite(value)) {
      throw new ValueError(
        `Clipping: ${mode} must be a positive finite number. Received: ${mode}=${value}`,
      );
    }
  }
  const errorIfNonfinite = args.errorIfNonfinite ?? false;
  if (set.length === 0 && !errorIfNonfinite) return null;
  return { mode: set[0] ?? null, limit: set.length ? args[set[0]]! : 0, errorIfNonfinite };
}

/**
 * The clipper for `args` (see `resolveClipping`), or null when there is nothing to do. With only
 * `errorIfNonfinite`, the clipper checks and reports the norm without clipping.
 */
export function makeClipper(args: ClippingArgs = {}): GradientClipper | null {
  const spec = resolveClipping(args);
  return spec && new Clipper(spec);
}

class Clipper implements GradientClipper {
  constructor(readonly spec: ClippingSpec) {}

  /**
   * Scales the measured gradients in place (clip_grads_with_norm_); returns the global norm
   * before (the measurement's) and after clipping.
   */
  clip(gradients: GradientNorms): ClipReport {
    const total = gradients.total;
    if (!Number.isFinite(total)) return this.nonFinite(gradients.variables, total);
    const { mode, limit } = this.spec;
    if (mode === null) return { normBefore: total, normAfter: total };
    const clipOne = clippers[mode];
    let after = 0;
    for (const v of gradients.variables) {
      after += clipOne(v, v.trainableGrad.data, gradients.squaresOf(v), total, limit);
    }
    return { normBefore: total, normAfter: Math.sqrt(after) };
  }

  private nonFinite(trainable: readonly Variable[], total: number): ClipReport {
    if (this.spec.errorIfNonfinite) {
      const bad = trainable
        .map((v) => ({ name: v.name, count: countNonFinite(v.trainableGrad.data) }))
        .filter((b) => b.count > 0);
      throw new NonFiniteGradientError(
        `Clipping: expected a finite global gradient norm. Received: ${total}, from ` +
          `${bad.map((b) => `${b.count} non-finite value(s) in ${b.name}`).join(', ')}. ` +
          'Set errorIfNonfinite to false to zero the gradients of such a step instead',
      );
    }
    for (const v of trainable) v.zeroGrad();
    return { normBefore: total, normAfter: 0 };
  }
}

/** g ← g·scale in place; returns Σg² of the stored (float32) results. */
function scaleInPlace(g: Float32Array, scale: number): number {
  let after = 0;
  for (let i = 0; i < g.length; i++) {
    const v = Math.fround(g[i] * scale);
    g[i] = v;
    after += v * v;
  }
  return after;
}

/**
 * AGC's number of units, the last axis: 1 when at most one dimension exceeds 1 (DeepMind
 * squeezes the shape first, so a [n, 1] kernel or a bias is a single unit).
 */
function unitCount(shape: Shape): number {
  return shape.filter((dim) => dim > 1).length <= 1 ? 1 : shape[shape.length - 1];
}

/**
 * AGC over `units` interleaved units (element i belongs to unit i mod units); returns Σg² after.
 */
function clipUnitwise(w: Float32Array, g: Float32Array, units: number, lambda: number): number {
  const wSquares = new Float64Array(units);
  const gSquares = new Float64Array(units);
  for (let i = 0; i < g.length; i += units) {
    for (let u = 0; u < units; u++) {
      wSquares[u] += w[i + u] * w[i + u];
      gSquares[u] += g[i + u] * g[i + u];
    }
  }
  const factor = new Float64Array(units);
  for (let u = 0; u < units; u++) {
    const maxNorm = lambda * Math.max(Math.sqrt(wSquares[u]), AGC_WEIGHT_EPSILON);
    const gNorm = Math.sqrt(gSquares[u]);
    factor[u] = gNorm < maxNorm ? 1 : maxNorm / Math.max(gNorm, AGC_GRAD_EPSILON);
  }
  let after = 0;
  for (let i = 0; i < g.length; i += units) {
    for (let u = 0; u < units; u++) {
      const v = factor[u] === 1 ? g[i + u] : Math.fround(g[i + u] * factor[u]);
      g[i + u] = v;
      after += v * v;
    }
  }
  return after;
}
