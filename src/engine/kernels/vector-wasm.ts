/** build/vector.wasm (assembly/vector.ts): the exports every vector kernel module calls. */
import { instantiateWasm } from './wasm.js';

/** out[b·size + p] = images[indices[b]·size + p] / 255, on heap byte addresses. */
export type GatherBytes = (
  images: number,
  indices: number,
  count: number,
  size: number,
  out: number,
) => void;

/**
 * assembly/adam.ts's update of n weights from w on; `measure` 0 returns 0, 1 and 2 Σ Δ² (two
 * ways, see kernels/adam.ts), with `scale` for 2.
 */
export type AdamExport = (
  w: number,
  g: number,
  m: number,
  v: number,
  n: number,
  lrT: number,
  a1: number,
  a2: number,
  eps: number,
  measure: number,
  scale: number,
  /** 0, or where Σ w² of the new weights goes, as a float64 (assembly/adam.ts). */
  squaresAt: number,
) => number;

/** The operands of the activation derivative: byte addresses, the length and the activation. */
type ActivationGradArgs = [
  z: number,
  a: number,
  outputGrad: number,
  zGrad: number,
  n: number,
  kind: number,
];

export interface VectorExports {
  adamUpdate: AdamExport;
  sumOfSquares(x: number, n: number): number;
  sumsOfSquares(table: number, count: number, out: number): number;
  /**
   * `total`, a sum of float32 squares of the n floats at x, or their exact sum where float32
   * squares may have overflowed or lost precision to underflow (assembly/sum-of-squares.ts).
   */
  checkedSquares(total: number, x: number, n: number): number;
  gatherBytesScaled: GatherBytes;
  biasActivation(
    z: number,
    bias: number,
    a: number,
    rows: number,
    cols: number,
    kind: number,
  ): void;
  activationGrad(...args: ActivationGradArgs): void;
  /** activationGrad, returning Σ outputGrad². */
  activationGradSquares(...args: ActivationGradArgs): number;
  expArray(x: number, out: number, n: number): void;
  sumRowsInto(m: number, out: number, rows: number, cols: number, measure: number): number;
  multiply(a: number, b: number, out: number, n: number): void;
  columnMoments(x: number, rows: number, cols: number, mean: number, variance: number): void;
  normalize(
    x: number,
    mean: number,
    invStd: number,
    gamma: number,
    beta: number,
    xHat: number,
    y: number,
    rows: number,
    cols: number,
  ): void;
  gradSums(g: number, xHat: number, rows: number, cols: number, sum: number, sumXHat: number): void;
  inputGrad(
    g: number,
    xHat: number,
    scale: number,
    meanGrad: number,
    meanGradXHat: number,
    out: number,
    rows: number,
    cols: number,
  ): void;
  dropoutMask(
    x: number,
    mask: number,
    y: number,
    n: number,
    threshold: number,
    scale: number,
    state: number,
  ): void;
  lstmForward(
    z: number,
    gate: number,
    cPrev: number,
    c: number,
    tc: number,
    h: number,
    batch: number,
    units: number,
    act: number,
    gateAct: number,
  ): void;
  lstmBackward(
    z: number,
    gate: number,
    cPrev: number,
    c: number,
    tc: number,
    dh: number,
    dc: number,
    dcPrev: number,
    dz: number,
    batch: number,
    units: number,
    act: number,
    gateAct: number,
  ): void;
  gruGates(
    pre: number,
    m: number,
    gate: number,
    batch: number,
    units: number,
    gateAct: number,
    resetAfter: number,
  ): void;
  gruOutput(
    pre: number,
    gate: number,
    hPrev: number,
    h: number,
    batch: number,
    units: number,
    act: number,
  ): void;
  gruOutputGrad(
    pre: number,
    gate: number,
    hPrev: number,
    dh: number,
    da: number,
    dhPrev: number,
    batch: number,
    units: number,
    act: number,
    gateAct: number,
  ): void;
  gruResetAfterGrad(
    pre: number,
    m: number,
    gate: number,
    da: number,
    dm: number,
    batch: number,
    units: number,
    gateAct: number,
  ): void;
}

export const vectorWasm = instantiateWasm<VectorExports>('vector.wasm');
