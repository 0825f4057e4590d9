/**
 * Losses with their gradients, in one table. Each loss is the mean over the batch (and, as
 * in Keras, over the last axis for the elementwise ones). Predictions p are probabilities
 * (the categorical losses first rescale each row to sum to 1, as Keras and TensorFlow.js do);
 * when the model's last layer applies the loss's `fusedActivation`, the model also passes the
 * logits z, and the value and gradient come from z: log-sum-exp for the value, and
 * ∂L/∂z = (p·Σy − y)/N, which stays exact where p underflows.
 */
import { lookup, ValueError } from './errors.js';

/** Keras' backend epsilon: probabilities are clipped to [ε, 1 − ε] before a log. */
export const EPSILON = 1e-7;

export type LossName =
  | 'binary_crossentropy'
  | 'categorical_crossentropy'
  | 'sparse_categorical_crossentropy'
  | 'mean_squared_error';

export interface Loss {
  /** The Keras name of a built-in loss; any name for a loss defined elsewhere. */
  readonly name: string;
  /** The last-layer activation whose gradient this loss fuses with, or null. */
  readonly fusedActivation: 'sigmoid' | 'softmax' | null;
  /** Floats of label per sample, for `cols` predicted values per sample. */
  labelSize(cols: number): number;
  /** Throws on labels this loss cannot take (NaN, out of range), naming the first bad one. */
  checkLabels(y: ArrayLike<number>, cols: number): void;
  /**
   * The mean loss over `rows` samples; from `logits` when given. `logitRows`, where the
   * softmax that made p kept them (Layer.logitRowStats), are each row's max and Σ exp(z − max)
   * of those logits, so that log-sum-exp needs no exp again: the same bits.
   */
  compute(
    p: Float32Array,
    y: Float32Array,
    rows: number,
    cols: number,
    logits?: Float32Array,
    logitRows?: Float64Array | null,
  ): number;
  /** ∂L/∂p, written into `out`. */
  gradient(p: Float32Array, y: Float32Array, out: Float32Array, rows: number, cols: number): void;
  /** ∂L/∂z for the fused activation, written into `out`. */
  logitGradient(
    p: Float32Array,
    y: Float32Array,
    out: Float32Array,
    rows: number,
    cols: number,
  ): void;
  /** Number of correctly classified samples (Keras' matching 'accuracy'), or null if none applies. */
  correct(p: Float32Array, y: Float32Array, rows: number, cols: number): number | null;
}

const clip = (p: number) => Math.min(1 - EPSILON, Math.max(EPSILON, p));

function checkFinite(
  loss: string,
  y: ArrayLike<number>,
  allowed: (v: number) => boolean,
  rule: string,
): void {
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i]) || !allowed(y[i])) {
      throw new ValueError(`${loss}: labels must be ${rule}. Received: labels[${i}]=${y[i]}`);
    }
  }
}

function argmax(values: Float32Array, offset: number, cols: number): number {
  let best = 0;
  for (let j = 1; j < cols; j++) if (values[offset + j] > values[offset + best]) best = j;
  return best;
}

/** Σ_j p_j over one row: Keras rescales categorical predictions to sum to 1. */
function rowTotal(p: Float32Array, offset: number, cols: number): number {
  let total = 0;
  for (let j = 0; j < cols; j++) total += p[offset + j];
  return total;
}

/** log Σ_j exp(z_j) over one row, shifted by the row maximum. */
/** log Σ_j exp(z[r, j]), from the row's max and Σ exp(z − max) where they are kept. */
function logSumExp(
  z: Float32Array,
  r: number,
  cols: number,
  rowStats: Float64Array | null | undefined,
): number {
  if (rowStats) return rowStats[2 * r] + Math.log(rowStats[2 * r + 1]);
  const offset = r * cols;
  let max = -Infinity;
  for (let j = 0; j < cols; j++) max = Math.max(max, z[offset + j]);
  let sum = 0;
  for (let j = 0; j < cols; j++) sum += Math.exp(z[offset + j] - max);
  return max + Math.log(sum);
}

const binaryCrossentropy: Loss = {
  name: 'binary_crossentropy',
  fusedActivation: 'sigmoid',
  labelSize: (cols) => cols,
  checkLabels: (y) => checkFinite('binary_crossentropy', y, (v) => v >= 0 && v <= 1, 'in [0, 1]'),
  compute(p, y, rows, cols, logits) {
    let sum = 0;
    const n = rows * cols;
    for (let i = 0; i < n; i++) {
      if (logits) {
        // max(z, 0) − z·y + log(1 + e^−|z|)
        const z = logits[i];
        sum += Math.max(z, 0) - z * y[i] + Math.log1p(Math.exp(-Math.abs(z)));
      } else {
        const q = clip(p[i]);
        sum -= y[i] * Math.log(q) + (1 - y[i]) * Math.log(1 - q);
      }
    }
    return sum / n;
  },
  // ∂L/∂p = (p − y) / (p(1 − p)) / N
  gradient(p, y, out, rows, cols) {
    const n = rows * cols;
    for (let i = 0; i < n; i++) {
      const q = clip(p[i]);
      out[i] = (q - y[i]) / (q * (1 - q)) / n;
    }
  },
  // ∂L/∂z = (p − y) / N
  logitGradient(p, y, out, rows, cols) {
    const n = rows * cols;
    for (let i = 0; i < n; i++) out[i] = (p[i] - y[i]) / n;
  },
  correct(p, y, rows, cols) {
    let hits = 0;
    for (let i = 0; i < rows * cols; i++) if ((p[i] > 0.5 ? 1 : 0) === y[i]) hits++;
    return hits / cols;
  },
};

const categoricalCrossentropy: Loss = {
  name: 'categorical_crossentropy',
  fusedActivation: 'softmax',
  labelSize: (cols) => cols,
  checkLabels: (y) =>
    checkFinite('categorical_crossentropy', y, (v) => v >= 0 && v <= 1, 'in [0, 1]'),
  compute(p, y, rows, cols, logits, logitRows) {
    let sum = 0;
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      if (logits) {
        const lse = logSumExp(logits, r, cols, logitRows);
        for (let j = 0; j < cols; j++) sum -= y[o + j] * (logits[o + j] - lse);
      } else {
        const total = rowTotal(p, o, cols);
        for (let j = 0; j < cols; j++) sum -= y[o + j] * Math.log(clip(p[o + j] / total));
      }
    }
    return sum / rows;
  },
  // With T = Σ_k p_k: ∂L/∂p_j = (Σ_k y_k / T − y_j / p_j) / N
  gradient(p, y, out, rows, cols) {
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      const total = rowTotal(p, o, cols);
      let mass = 0;
      for (let j = 0; j < cols; j++) mass += y[o + j];
      for (let j = 0; j < cols; j++) {
        out[o + j] = (mass / total - y[o + j] / (total * clip(p[o + j] / total))) / rows;
      }
    }
  },
  // ∂L/∂z_j = (p_j·Σ_k y_k − y_j) / N
  logitGradient(p, y, out, rows, cols) {
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let mass = 0;
      for (let j = 0; j < cols; j++) mass += y[o + j];
      for (let j = 0; j < cols; j++) out[o + j] = (p[o + j] * mass - y[o + j]) / rows;
    }
  },
  correct(p, y, rows, cols) {
    let hits = 0;
    for (let r = 0; r < rows; r++)
      if (argmax(p, r * cols, cols) === argmax(y, r * cols, cols)) hits++;
    return hits;
  },
};

const sparseCategoricalCrossentropy: Loss = {
  name: 'sparse_categorical_crossentropy',
  fusedActivation: 'softmax',
  labelSize: () => 1,
  checkLabels(y, cols) {
    checkFinite(
      'sparse_categorical_crossentropy',
      y,
      (v) => Number.isInteger(v) && v >= 0 && v < cols,
      `integer class indices in [0, ${cols - 1}]`,
    );
  },
  compute(p, y, rows, cols, logits, logitRows) {
    let sum = 0;
    for (let r = 0; r < rows; r++) {
      const o = r * cols,
        label = y[r];
      sum -= logits
        ? logits[o + label] - logSumExp(logits, r, cols, logitRows)
        : Math.log(clip(p[o + label] / rowTotal(p, o, cols)));
    }
    return sum / rows;
  },
  // categorical_crossentropy's gradient for a one-hot y: (1/T − [j = label]/p_j) / N
  gradient(p, y, out, rows, cols) {
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      const total = rowTotal(p, o, cols);
      const label = o + y[r];
      for (let j = 0; j < cols; j++) out[o + j] = 1 / total / rows;
      out[label] -= 1 / (total * clip(p[label] / total)) / rows;
    }
  },
  logitGradient(p, y, out, rows, cols) {
    for (let i = 0; i < rows * cols; i++) out[i] = p[i] / rows;
    for (let r = 0; r < rows; r++) out[r * cols + y[r]] -= 1 / rows;
  },
  correct(p, y, rows, cols) {
    let hits = 0;
    for (let r = 0; r < rows; r++) if (argmax(p, r * cols, cols) === y[r]) hits++;
    return hits;
  },
};

const meanSquaredError: Loss = {
  name: 'mean_squared_error',
  fusedActivation: null,
  labelSize: (cols) => cols,
  checkLabels: (y) => checkFinite('mean_squared_error', y, () => true, 'finite'),
  compute(p, y, rows, cols) {
    let sum = 0;
    for (let i = 0; i < rows * cols; i++) sum += (p[i] - y[i]) ** 2;
    return sum / (rows * cols);
  },
  // ∂L/∂p = 2(p − y)/N
  gradient(p, y, out, rows, cols) {
    const n = rows * cols;
    for (let i = 0; i < n; i++) out[i] = (2 * (p[i] - y[i])) / n;
  },
  logitGradient() {
    throw new ValueError('mean_squared_error: has no fused activation');
  },
  correct: () => null,
};

export const losses: Readonly<Record<LossName, Loss>> = {
  binary_crossentropy: binaryCrossentropy,
  categorical_crossentropy: categoricalCrossentropy,
  sparse_categorical_crossentropy: sparseCategoricalCrossentropy,
  mean_squared_error: meanSquaredError,
};

export function getLoss(name: string): Loss {
  return lookup(losses, name === 'mse' ? 'mean_squared_error' : name, 'loss');
}
