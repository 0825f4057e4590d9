/**
 * Norms a training step can take as it computes what they measure, for the step's readers
 * (probes, the clipper, TerminateOnNonFinite), so that no reader needs a pass of its own: the
 * kernels that write the gradients and the backprop signals (backward), and the optimizer's
 * update kernel. What is not asked for is not computed; a reader that reads it anyway measures
 * it itself (GradientNorms, the probes' signal pass).
 */
export interface StepMeasures {
  /** Σg² of each gradient a kernel writes whole (Variable.recordGradSquares). */
  readonly gradients: boolean;
  /** Σ(∂L/∂output)² of each layer's signal (Layer.outputGradSquares). */
  readonly signals: boolean;
  /** ‖Δw‖ of each variable's update (UpdateReport.updateNorms). */
  readonly updates: boolean;
  /** Σw² of each variable's weights after the update (UpdateReport.weightSquares). */
  readonly weights: boolean;
}

/** Nothing measured: a step no reader asks anything of. */
export const NO_MEASURES: StepMeasures = {
  gradients: false,
  signals: false,
  updates: false,
  weights: false,
};
