/**
 * BatchNormalization over the last axis (Keras defaults: momentum 0.99, epsilon 1e-3).
 * Training: x̂ = (x − μ_B)/√(σ²_B + ε) with the batch's mean and biased variance, and
 * moving ← moving·momentum + batch·(1 − momentum). Inference: the moving statistics.
 */
import { checkRange, ValueError } from '../errors.js';
import { backend } from '../kernels/index.js';
import type { RandomState } from '../random.js';
import { Tensor } from '../tensor.js';
import type { Shape } from '../tensor.js';
import { NO_MEASURES, type StepMeasures } from '../measures.js';
import { Layer } from './layer.js';
import type { LayerArgs, StepInfo } from './layer.js';
import type { Variable } from './variable.js';

/** Rows of the per-feature scratch (see `features`). */
const FEATURE_VECTORS = 8;

/** Keras' default momentum of the moving statistics. */
export const BATCH_NORM_MOMENTUM = 0.99;
/** Keras' default epsilon. */
export const BATCH_NORM_EPSILON = 1e-3;

export interface BatchNormalizationArgs extends LayerArgs {
  /** Weight of the old moving statistics in each update. Defaults to 0.99. */
  momentum?: number;
  /** Added to the variance before the square root. Defaults to 1e-3. */
  epsilon?: number;
  /** Learn the offset beta. Defaults to true. */
  center?: boolean;
  /** Learn the scale gamma. Defaults to true. */
  scale?: boolean;
}

export class BatchNormalization extends Layer {
  readonly className = 'BatchNormalization';
  readonly kind = 'batch_normalization';
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  gamma: Variable | null = null;
  beta: Variable | null = null;
  movingMean!: Variable;
  movingVariance!: Variable;

  private y: Tensor | undefined;
  private xHat: Tensor | undefined;
  private inputGradBuffer: Tensor | undefined;
  /**
   * Per-feature vectors, one row each: mean, variance and 1/√(σ² + ε) of the last forward
   * pass; Σ outputGrad, Σ outputGrad·x̂, and the input gradient's scale, mean(outputGrad) and
   * mean(outputGrad·x̂) of the last backward pass. In the heap, for the kernels.
   */
  private features!: Tensor;
  /** Its rows as views (`featureRows`), and the view of `features` they were made from. */
  private vectors: readonly Float32Array[] = [];
  private vectorsOf: Float32Array | null = null;
  private usedBatchStatistics = false;

  constructor(args: BatchNormalizationArgs = {}) {
    super(args);
    this.momentum = args.momentum ?? BATCH_NORM_MOMENTUM;
    this.epsilon = args.epsilon ?? BATCH_NORM_EPSILON;
    checkRange('BatchNormalization', 'momentum', this.momentum, 0, 1);
    if (!(this.epsilon > 0)) {
      throw new ValueError(
        `BatchNormalization: epsilon must be > 0. Received: epsilon=${this.epsilon}`,
      );
    }
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
  }

  computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }

  protected override createWeights(inputShape: Shape, rng: RandomState): void {
    const features = [inputShape[inputShape.length - 1]];
    if (this.scale) this.gamma = this.addWeight('gamma', features, 'ones', rng);
    if (this.center) this.beta = this.addWeight('beta', features, 'zeros', rng);
    this.movingMean = this.addWeight('moving_mean', features, 'zeros', rng, false);
    this.movingVariance = this.addWeight('moving_variance', features, 'ones', rng, false);
    this.features = Tensor.zeros([FEATURE_VECTORS, features[0]]);
  }

  forward(input: Tensor, step: StepInfo): Tensor {
    this.checkInput(input);
    const cols = this.features.shape[1];
    const rows = input.size / cols;
    const xHat = (this.xHat = Tensor.resized(this.xHat, input.shape));
    const y = (this.y = Tensor.resized(this.y, input.shape));
    const vectors = this.featureRows();
    const mean = vectors[0],
      variance = vectors[1],
      invStd = vectors[2];
    const movingMean = this.movingMean.value.data,
      movingVariance = this.movingVariance.value.data;
    this.usedBatchStatistics = step.training;
    if (step.training) {
      backend.batchNorm.columnMoments(input.data, rows, cols, mean, variance);
      for (let j = 0; j < cols; j++) {
        movingMean[j] = movingMean[j] * this.momentum + mean[j] * (1 - this.momentum);
        movingVariance[j] = movingVariance[j] * this.momentum + variance[j] * (1 - this.momentum);
      }
    } else {
      mean.set(movingMean);
      variance.set(movingVariance);
    }
    for (let j = 0; j < cols; j++) invStd[j] = 1 / Math.sqrt(variance[j] + this.epsilon);
    const gamma = this.gamma?.value.data ?? null,
      beta = this.beta?.value.data ?? null;
    backend.batchNorm.normalize(
      input.data,
      mean,
      invStd,
      gamma,
      beta,
      xHat.data,
      y.data,
      rows,
      cols,
    );
    this.lastInput = input;
    return (this.lastOutput = y);
  }

  // ∂L/∂β = Σ outputGrad;  ∂L/∂γ = Σ outputGrad·x̂;
  // ∂L/∂x = γ/√(σ²+ε) · (outputGrad − mean(outputGrad) − x̂·mean(outputGrad·x̂))  (batch statistics)
  // ∂L/∂x = γ/√(σ²+ε) · outputGrad                                             (moving statistics)
  // With measures.gradients, Σ(∂L/∂γ)² and Σ(∂L/∂β)² are summed as they are written, in float64
  // (each float32's square exactly), so that the step's GradientNorms need no call of its own.
  backward(
    outputGrad: Tensor,
    needInputGrad: boolean,
    _preActivationGrad?: Tensor,
    measures: StepMeasures = NO_MEASURES,
  ): Tensor | null {
    this.checkOutputGrad(outputGrad);
    this.lastOutputGrad = outputGrad;
    const cols = this.features.shape[1];
    const rows = outputGrad.size / cols;
    const inputGrad = needInputGrad
      ? (this.inputGradBuffer = Tensor.resized(this.inputGradBuffer, outputGrad.shape))
      : null;
    const vectors = this.featureRows();
    const invStd = vectors[2],
      sum = vectors[3],
      sumXHat = vectors[4],
      scale = vectors[5],
      meanGrad = vectors[6],
      meanGradXHat = vectors[7];
    const xHat = this.xHat!.data;
    backend.batchNorm.gradSums(outputGrad.data, xHat, rows, cols, sum, sumXHat);
    const gammaGrad = this.gamma?.trainableGrad.data,
      betaGrad = this.beta?.trainableGrad.data;
    let betaSquares = 0;
    let gammaSquares = 0;
    for (let j = 0; j < cols; j++) {
      // Squared as stored, rounded to float32.
      if (betaGrad) {
        betaGrad[j] += sum[j];
        betaSquares += betaGrad[j] * betaGrad[j];
      }
      if (gammaGrad) {
        gammaGrad[j] += sumXHat[j];
        gammaSquares += gammaGrad[j] * gammaGrad[j];
      }
    }
    if (measures.gradients) {
      this.beta?.recordGradSquares(betaSquares);
      this.gamma?.recordGradSquares(gammaSquares);
    }
    if (!inputGrad) return (this.lastInputGrad = null);
    const gamma = this.gamma?.value.data;
    const batchShare = this.usedBatchStatistics ? 1 / rows : 0;
    for (let j = 0; j < cols; j++) {
      scale[j] = (gamma ? gamma[j] : 1) * invStd[j];
      meanGrad[j] = sum[j] * batchShare;
      meanGradXHat[j] = sumXHat[j] * batchShare;
    }
    backend.batchNorm.inputGrad(
      outputGrad.data,
      xHat,
      scale,
      meanGrad,
      meanGradXHat,
      inputGrad.data,
      rows,
      cols,
    );
    return (this.lastInputGrad = inputGrad);
  }

  /**
   * The FEATURE_VECTORS rows of `features`, as views made once: a step's passes take them
   * without making any (again only if `features.data` is a new view, after the heap grew).
   */
  private featureRows(): readonly Float32Array[] {
    const data = this.features.data;
    if (data !== this.vectorsOf) {
      const cols = this.features.shape[1];
      this.vectors = Array.from({ length: FEATURE_VECTORS }, (_, i) =>
        data.subarray(i * cols, (i + 1) * cols),
      );
      this.vectorsOf = data;
    }
    return this.vectors;
  }

  getConfig(): Record<string, unknown> {
    return {
      momentum: this.momentum,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
    };
  }
}
