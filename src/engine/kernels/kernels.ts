/**
 * The matrix kernels backprop needs, behind one interface with two implementations:
 * `simdKernels` (AssemblyScript, 128-bit SIMD, in place on the heap) and `referenceKernels`
 * (plain TypeScript, the readable definition the tests compare against).
 *
 * All matrices are row-major float32 tensors; the dimensions are passed explicitly so a
 * kernel can work on the first rows of a larger buffer. With `accumulate` the product is
 * added to C (C += …), otherwise C is overwritten. Only the first m×n elements of C are
 * written. C must not overlap A or B.
 */
import { ShapeError, ValueError } from '../errors.js';
import type { Tensor } from '../tensor.js';

/**
 * One product: writes (or with `accumulate`, adds) the m×n result into `c`. With `measure` it
 * also returns Σ x² over C as it leaves it (float64, NaN or Infinity exactly when an element
 * is; as exact as the SumOfSquaresKernel), taken while the product writes C, for a gradient's
 * norm without a pass over it; without, it returns 0. Defaults to false.
 */
export type Product = (...args: [...Operands, accumulate: boolean, measure?: boolean]) => number;

/** A product's operands and dimensions, as every kernel here takes them first. */
type Operands = [a: Tensor, b: Tensor, c: Tensor, m: number, k: number, n: number];

/**
 * A Dense layer's forward in one call: C (m×n) = A (m×k) · B (k×n), then C[r, :] += bias
 * (unless null) and, for relu, out = relu(C); for linear, C is the output and `out` is not
 * written. Each block of C is finished while the product has it in cache, with the bits of the
 * product followed by the activation's pass. Returns false, having written nothing, where it
 * cannot (another activation, or a product that does not run this way here); the caller then
 * runs the two itself.
 */
export type ActivatedProduct = (
  ...args: [...Operands, bias: Tensor | null, out: Tensor, activation: string]
) => boolean;

export interface Kernels {
  readonly name: string;
  /** C (m×n) = A (m×k) · B (k×n). The forward pass of Dense: y = x·W. */
  readonly matmul: Product;
  /** C (m×n) = Aᵀ · B with A (k×m), B (k×n). The kernel gradient: ∂L/∂W = xᵀ·∂L/∂y. */
  readonly matmulTransA: Product;
  /** C (m×n) = A · Bᵀ with A (m×k), B (n×k). The input gradient: ∂L/∂x = ∂L/∂y·Wᵀ. */
  readonly matmulTransB: Product;
  /** The forward product with its bias and activation, where these kernels have one. */
  readonly matmulActivated?: ActivatedProduct;
}

/**
 * Throws unless m, k, n are non-negative integers and A, B, C hold at least m·k, k·n, m·n
 * elements. Every product needs exactly these sizes, whichever operand is transposed. The
 * SIMD kernels write through raw heap addresses, so a short tensor would corrupt its neighbours.
 */
export function checkOperands(
  op: string,
  a: Tensor,
  b: Tensor,
  c: Tensor,
  m: number,
  k: number,
  n: number,
): void {
  checkDim(op, 'm', m);
  checkDim(op, 'k', k);
  checkDim(op, 'n', n);
  if (a.size < m * k) throw sizeError(op, 'A', a, m * k, m, k, n);
  if (b.size < k * n) throw sizeError(op, 'B', b, k * n, m, k, n);
  if (c.size < m * n) throw sizeError(op, 'C', c, m * n, m, k, n);
}

/** Throws unless a fused forward's bias (when given) holds n elements and its `out` m·n. */
export function checkBiasAndOutput(
  op: string,
  [m, k, n]: [number, number, number],
  bias: Tensor | null,
  out: Tensor,
): void {
  if (bias !== null && bias.size < n) throw sizeError(op, 'bias', bias, n, m, k, n);
  if (out.size < m * n) throw sizeError(op, 'out', out, m * n, m, k, n);
}

function checkDim(op: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new ValueError(
      `${op}: ${name} must be a non-negative integer. Received: ${name}=${value}`,
    );
  }
}

function sizeError(
  op: string,
  operand: string,
  tensor: Tensor,
  needed: number,
  m: number,
  k: number,
  n: number,
): ShapeError {
  return new ShapeError(
    `${op}: ${operand} must hold at least ${needed} elements for m=${m}, k=${k}, n=${n}. ` +
      `Received: ${operand} of ${tensor.size} elements`,
  );
}
