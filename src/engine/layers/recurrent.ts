/**
 * The time loop shared by recurrent layers. Input (batch, timesteps, features) is copied to
 * time-major buffers so each step works on contiguous (batch × …) matrices; a cell subclass
 * (SimpleRNN now; LSTM and GRU later) supplies one step forward and one step backward.
 *
 * Glass-box extra: `hiddenGrads` (timesteps × batch × units) keeps ∂L/∂h_t for every t after
 * backward — the quantity that explodes or vanishes through time.
 */
import { checkPositiveInteger, ShapeError } from '../errors.js';
import { Tensor } from '../tensor.js';
import type { Shape } from '../tensor.js';
import { Layer } from './layer.js';
import type { LayerArgs, StepInfo, TimeSignal } from './layer.js';

export interface RecurrentArgs extends LayerArgs {
  /** Size of the hidden state. Required, a positive integer. */
  units: number;
  /** Return h_t for every step (batch, timesteps, units) instead of the last. Defaults to false. */
  returnSequences?: boolean;
}

export abstract class Recurrent extends Layer {
  readonly units: number;
  readonly returnSequences: boolean;
  /** x_t, time-major: (timesteps, batch, features). */
  protected xs: Tensor | undefined;
  /** h_t for t = 0 … T, time-major, h_0 = 0: (timesteps + 1, batch, units). */
  protected hs: Tensor | undefined;
  private hGrads: Tensor | undefined;
  private xGrads: Tensor | undefined;
  private sequenceOutput: Tensor | undefined;
  private inputGradBuffer: Tensor | undefined;

  constructor(args: RecurrentArgs) {
    super(args);
    checkPositiveInteger(this.constructor.name, 'units', args.units);
    this.units = args.units;
    this.returnSequences = args.returnSequences ?? false;
  }

  /** ∂L/∂h_t for every step of the last backward pass, (timesteps, batch, units). */
  get hiddenGrads(): Tensor | null {
    return this.hGrads ?? null;
  }

  /** The glass-box contract's signal through time: ∂L/∂h_t (see layer.ts). */
  override get timeSignals(): readonly TimeSignal[] {
    return this.hGrads ? [{ state: 'hidden', grads: this.hGrads }] : [];
  }

  /** Hidden states h_1 … h_T of the last forward pass, (timesteps, batch, units). */
  get hiddenStates(): Tensor | null {
    return this.hs ? this.hs.slabsFrom(1) : null;
  }

  computeOutputShape(inputShape: Shape): Shape {
    if (inputShape.length !== 2) {
      throw new ShapeError(
        `${this.className}: expected samples of shape [timesteps,features]. ` +
          `Received: [${inputShape.join(',')}]`,
      );
    }
    return this.returnSequences ? [inputShape[0], this.units] : [this.units];
  }

  /** z_t and h_t from x_t and h_{t−1}; the cell caches what its backward step needs. */
  protected abstract forwardStep(t: number, x: Tensor, hPrev: Tensor, h: Tensor): void;

  /**
   * Given ∂L/∂h_t (complete), accumulates the weight gradients, writes ∂L/∂x_t (when xGrad is
   * given) and adds ∂L/∂h_{t−1} into hPrevGrad.
   */
  protected abstract backwardStep(
    t: number,
    hGrad: Tensor,
    xGrad: Tensor | null,
    hPrevGrad: Tensor | null,
  ): void;

  /** Called once per forward pass before the steps, to size per-step caches. */
  protected abstract prepareCaches(timesteps: number, batch: number): void;

  forward(input: Tensor, _step: StepInfo): Tensor {
    const batch = this.checkInput(input);
    const [timesteps, features] = this.inputShape!;
    this.xs = Tensor.resized(this.xs, [timesteps, batch, features]);
    transposeFirstTwo(input.data, this.xs.data, batch, timesteps, features);
    this.hs = Tensor.resized(this.hs, [timesteps + 1, batch, this.units]);
    this.hs.slab(0).fill(0);
    this.prepareCaches(timesteps, batch);
    for (let t = 0; t < timesteps; t++) {
      this.forwardStep(t, this.xs.slab(t), this.hs.slab(t), this.hs.slab(t + 1));
    }
    this.lastInput = input;
    if (!this.returnSequences) return (this.lastOutput = this.hs.slab(timesteps));
    const out = (this.sequenceOutput = Tensor.resized(this.sequenceOutput, [
      batch,
      timesteps,
      this.units,
    ]));
    transposeFirstTwo(
      this.hs.data.subarray(batch * this.units),
      out.data,
      timesteps,
      batch,
      this.units,
    );
    return (this.lastOutput = out);
  }

  backward(outputGrad: Tensor, needInputGrad: boolean): Tensor | null {
    this.checkOutputGrad(outputGrad);
    this.lastOutputGrad = outputGrad;
    const [timesteps, features] = this.inputShape!;
    const batch = this.lastInput!.shape[0];
    const hGrads = (this.hGrads = Tensor.resized(this.hGrads, [timesteps, batch, this.units]));
    if (this.returnSequences)
      transposeFirstTwo(outputGrad.data, hGrads.data, batch, timesteps, this.units);
    else {
      hGrads.fill(0);
      hGrads.slab(timesteps - 1).copyFrom(outputGrad);
    }
    const xGrads = needInputGrad
      ? (this.xGrads = Tensor.resized(this.xGrads, [timesteps, batch, features]))
      : null;
    for (let t = timesteps - 1; t >= 0; t--) {
      this.backwardStep(
        t,
        hGrads.slab(t),
        xGrads ? xGrads.slab(t) : null,
        t > 0 ? hGrads.slab(t - 1) : null,
      );
    }
    if (!xGrads) return (this.lastInputGrad = null);
    const inputGrad = (this.inputGradBuffer = Tensor.resized(
      this.inputGradBuffer,
      this.lastInput!.shape,
    ));
    transposeFirstTwo(xGrads.data, inputGrad.data, timesteps, batch, features);
    return (this.lastInputGrad = inputGrad);
  }

  getConfig(): Record<string, unknown> {
    return { units: this.units, returnSequences: this.returnSequences };
  }
}

/** out[b, a, :] = x[a, b, :] for x of shape (A, B, C). */
export function transposeFirstTwo(
  x: Float32Array,
  out: Float32Array,
  A: number,
  B: number,
  C: number,
): void {
  for (let a = 0; a < A; a++) {
    for (let b = 0; b < B; b++) {
      const from = (a * B + b) * C,
        to = (b * A + a) * C;
      for (let c = 0; c < C; c++) out[to + c] = x[from + c];
    }
  }
}
