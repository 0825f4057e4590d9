/**
 * Gradient clipping, as a `GradientClipper` the optimizer applies before its update, so it works
 * with every optimizer: `new Adam({ clipper: makeClipper({ globalClipnorm: 1 }) })`.
 *
 * Every mode modifies the gradients in place and reports the global L2 norm √Σg² over all
 * trainable gradients before and after clipping (the "after" is measured on the stored float32
 * values). Non-finite gradients: with `errorIfNonfinite` a `NonFiniteGradientError` is thrown;
 * without it (the default) every gradient of that step is set to 0, so one bad batch cannot write
 * NaN into the weights (PyTorch would instead scale by a NaN factor and poison them). Plain SGD
 * then leaves the weights unchanged; Adam, RMSprop and momentum still move by their state.
 */
import { ValueError } from './errors.js';
import type { Variable } from './layers/variable.js';
import { countNonFinite, globalNorm } from './norms.js';
import { getOptimizer } from './optimizers/index.js';
import type { AnyOptimizerArgs, Optimizer, OptimizerName } from './optimizers/index.js';
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
export class NonFiniteGradientError extends Error {
  override name = 'NonFiniteGradientError';
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
    const scale = c / (total + GLOBAL_CLIPNORM_EPSILON);
    return scale < 1 ? scaleInPlace(g, scale) : squares;
  },
  agc: (variable, g, _squares, _total, lambda) =>
    clipUnitwise(variable.value.data, g, unitCount(variable.shape), lambda),
};

/**
 * The clipper for `args`, or null when no mode is set and `errorIfNonfinite` is off. With only
 * `errorIfNonfinite`, the clipper checks and reports the norm without clipping. Throws a
 * ValueError when more than one mode is set or a value is not a positive finite number.
 */
export function makeClipper(args: ClippingArgs = {}): GradientClipper | null {
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
  return new Clipper(set[0] ?? null, set.length ? args[set[0]]! : 0, errorIfNonfinite);
}

/**
 * The optimizer `name` with `optimizerArgs`, clipping its gradients as `clipping` says:
 * `withClipping('adam', { learningRate: 1e-3 }, { globalClipnorm: 1 })`.
 */
export function withClipping(
  name: OptimizerName,
  optimizerArgs: AnyOptimizerArgs,
  clipping: ClippingArgs,
): Optimizer {
  const clipper = makeClipper(clipping);
  if (clipper && optimizerArgs.clipper) {
    throw new ValueError(
      'withClipping: give the clipping either as optimizerArgs.clipper or as clipping args. ' +
        'Received: both',
    );
  }
  return getOptimizer(name, clipper ? { ...optimizerArgs, clipper } : optimizerArgs);
}

class Clipper implements GradientClipper {
  constructor(
    /** null: only check for non-finite gradients. */
    readonly mode: Mode | null,
    readonly limit: number,
    readonly errorIfNonfinite: boolean,
  ) {}

  /** Modifies the gradients in place; returns the global norm before and after clipping. */
  clip(variables: readonly Variable[]): ClipReport {
    const trainable = variables.filter((v) => v.trainable);
    const squares: number[] = [];
    const total = globalNorm(
      trainable.map((v) => v.trainableGrad),
      squares,
    );
    if (!Number.isFinite(total)) return this.nonFinite(trainable, total);
    if (this.mode === null) return { normBefore: total, normAfter: total };
    const clipOne = clippers[this.mode];
    let after = 0;
    trainable.forEach((v, k) => {
      after += clipOne(v, v.trainableGrad.data, squares[k], total, this.limit);
    });
    return { normBefore: total, normAfter: Math.sqrt(after) };
  }

  private nonFinite(trainable: readonly Variable[], total: number): ClipReport {
    if (this.errorIfNonfinite) {
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
