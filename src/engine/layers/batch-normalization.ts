/**
 * BatchNormalization over the last axis (Keras defaults: momentum 0.99, epsilon 1e-3).
 * Training: x̂ = (x − μ_B)/√(σ²_B + ε) with the batch's mean and biased variance, and
 * moving ← moving·momentum + batch·(1 − momentum). Inference: the moving statistics.
 */
import { checkRange, ValueError } from '../errors.js';
import type { RandomState } from '../random.js';
import { Tensor } from '../tensor.js';
import type { Shape } from '../tensor.js';
import { Layer } from './layer.js';
import type { LayerArgs, StepInfo } from './layer.js';
import type { Variable } from './variable.js';

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
  /** 1/√(σ² + ε) per feature, from the last forward pass. */
  private invStd = new Float32Array(0);
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
    this.invStd = new Float32Array(features[0]);
  }

  forward(input: Tensor, step: StepInfo): Tensor {
    this.checkInput(input);
    const cols = this.invStd.length;
    const rows = input.size / cols;
    const x = input.data;
    const xHat = (this.xHat = Tensor.resized(this.xHat, input.shape)).data;
    const y = (this.y = Tensor.resized(this.y, input.shape)).data;
    const movingMean = this.movingMean.value.data,
      movingVar = this.movingVariance.value.data;
    const gamma = this.gamma?.value.data,
      beta = this.beta?.value.data;
    this.usedBatchStatistics = step.training;
    for (let j = 0; j < cols; j++) {
      let mean = movingMean[j],
        variance = movingVar[j];
      if (step.training) {
        let sum = 0;
        for (let r = 0; r < rows; r++) sum += x[r * cols + j];
        mean = sum / rows;
        let squares = 0;
        for (let r = 0; r < rows; r++) squares += (x[r * cols + j] - mean) ** 2;
        variance = squares / rows;
        movingMean[j] = movingMean[j] * this.momentum + mean * (1 - this.momentum);
        movingVar[j] = movingVar[j] * this.momentum + variance * (1 - this.momentum);
      }
      const invStd = (this.invStd[j] = 1 / Math.sqrt(variance + this.epsilon));
      const g = gamma ? gamma[j] : 1,
        b = beta ? beta[j] : 0;
      for (let r = 0; r < rows; r++) {
        const i = r * cols + j;
        xHat[i] = (x[i] - mean) * invStd;
        y[i] = g * xHat[i] + b;
      }
    }
    this.lastInput = input;
    return (this.lastOutput = this.y);
  }

  // ∂L/∂β = Σ dy;  ∂L/∂γ = Σ dy·x̂;
  // ∂L/∂x = γ/√(σ²+ε) · (dy − mean(dy) − x̂·mean(dy·x̂))  (batch statistics depend on x)
  // ∂L/∂x = γ/√(σ²+ε) · dy                              (moving statistics are constants)
  backward(outputGrad: Tensor, needInputGrad: boolean): Tensor | null {
    this.checkOutputGrad(outputGrad);
    this.lastOutputGrad = outputGrad;
    const cols = this.invStd.length;
    const rows = outputGrad.size / cols;
    const dy = outputGrad.data,
      xHat = this.xHat!.data;
    const gammaGrad = this.gamma?.trainableGrad.data,
      betaGrad = this.beta?.trainableGrad.data;
    const gamma = this.gamma?.value.data;
    const dx = needInputGrad
      ? (this.inputGradBuffer = Tensor.resized(this.inputGradBuffer, outputGrad.shape)).data
      : null;
    for (let j = 0; j < cols; j++) {
      let sumDy = 0,
        sumDyXHat = 0;
      for (let r = 0; r < rows; r++) {
        const i = r * cols + j;
        sumDy += dy[i];
        sumDyXHat += dy[i] * xHat[i];
      }
      if (betaGrad) betaGrad[j] += sumDy;
      if (gammaGrad) gammaGrad[j] += sumDyXHat;
      if (!dx) continue;
      const k = (gamma ? gamma[j] : 1) * this.invStd[j];
      const meanDy = this.usedBatchStatistics ? sumDy / rows : 0;
      const meanDyXHat = this.usedBatchStatistics ? sumDyXHat / rows : 0;
      for (let r = 0; r < rows; r++) {
        const i = r * cols + j;
        dx[i] = k * (dy[i] - meanDy - xHat[i] * meanDyXHat);
      }
    }
    return (this.lastInputGrad = dx ? this.inputGradBuffer! : null);
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
