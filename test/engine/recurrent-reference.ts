/**
 * LSTM and GRU forward passes written out one scalar at a time in float64, independent of the
 * engine (no kernels, no buffers shared with it), from the equations in Keras' cells. Each
 * step can be nudged: `nudge(t)` returns additions to h_t (and c_t), so a central difference
 * in a nudge measures ∂L/∂h_t (∂L/∂c_t) directly, to compare with `hiddenGrads` (`cellGrads`).
 */
import type { Recurrent } from '../../src/engine/layers/recurrent.js';
import type { Tensor } from '../../src/engine/tensor.js';

export type CellKind = 'lstm' | 'gru' | 'gru_reset_before';

export interface Nudge {
  /** Index (b·units + j) into step t's state, or −1 for none. */
  index: number;
  step: number;
  /** Added to h_t after it is computed. */
  h: number;
  /** Added to c_t before h_t is computed from it (LSTM only). */
  c: number;
}

const NO_NUDGE: Nudge = { index: -1, step: -1, h: 0, c: 0 };
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

interface Weights {
  K: Float32Array;
  R: Float32Array;
  b: Float32Array | null;
  features: number;
  units: number;
}

function weightsOf(layer: Recurrent): Weights {
  return {
    K: layer.kernel.value.data,
    R: layer.recurrentKernel.value.data,
    b: layer.bias ? layer.bias.value.data : null,
    features: layer.kernel.shape[0],
    units: layer.units,
  };
}

/** Σ_k row[k]·M[k, col] for M with `cols` columns. */
function dot(row: ArrayLike<number>, M: Float32Array, cols: number, col: number): number {
  let sum = 0;
  for (let k = 0; k < row.length; k++) sum += row[k] * M[k * cols + col];
  return sum;
}

/**
 * The layer's output for `input` (batch, timesteps, features), in float64, laid out as the
 * layer lays it out: (batch, timesteps, units) with returnSequences, else (batch, units).
 */
export function referenceForward(
  kind: CellKind,
  layer: Recurrent,
  input: Tensor,
  nudge: Nudge = NO_NUDGE,
): Float64Array {
  const { K, R, b, features, units: u } = weightsOf(layer);
  const [batch, T] = input.shape;
  const x = input.data;
  const gates = kind === 'lstm' ? 4 : 3;
  const width = gates * u;
  const out = new Float64Array(layer.returnSequences ? batch * T * u : batch * u);
  for (let s = 0; s < batch; s++) {
    let h = new Float64Array(u),
      c = new Float64Array(u);
    for (let t = 0; t < T; t++) {
      const xt = x.subarray((s * T + t) * features, (s * T + t + 1) * features);
      const xk = (col: number) => dot(xt, K, width, col) + (b ? b[col] : 0);
      const hr = (col: number, state: ArrayLike<number> = h) =>
        dot(state, R, width, col) + (b && kind === 'gru' ? b[width + col] : 0);
      const hNext = new Float64Array(u),
        cNext = new Float64Array(u);
      if (kind === 'lstm') {
        for (let j = 0; j < u; j++) {
          const i = sigmoid(xk(j) + hr(j)),
            f = sigmoid(xk(u + j) + hr(u + j)),
            g = Math.tanh(xk(2 * u + j) + hr(2 * u + j)),
            o = sigmoid(xk(3 * u + j) + hr(3 * u + j));
          cNext[j] =
            f * c[j] + i * g + (nudge.step === t && nudge.index === s * u + j ? nudge.c : 0);
          hNext[j] = o * Math.tanh(cNext[j]);
        }
      } else {
        const r = Array.from({ length: u }, (_, j) => sigmoid(xk(u + j) + hr(u + j)));
        const rh = Array.from(h, (v, j) => r[j] * v);
        for (let j = 0; j < u; j++) {
          const z = sigmoid(xk(j) + hr(j));
          const candidate = kind === 'gru' ? r[j] * hr(2 * u + j) : dot(rh, R, width, 2 * u + j);
          const hh = Math.tanh(xk(2 * u + j) + candidate);
          hNext[j] = z * h[j] + (1 - z) * hh;
        }
      }
      if (nudge.step === t && nudge.index >= s * u && nudge.index < (s + 1) * u) {
        hNext[nudge.index - s * u] += nudge.h;
      }
      h = hNext;
      c = cNext;
      if (layer.returnSequences) out.set(h, (s * T + t) * u);
    }
    if (!layer.returnSequences) out.set(h, s * u);
  }
  return out;
}

/**
 * ∂L/∂h_t and ∂L/∂c_t (time-major, as the layer keeps them) for L = Σ w·output, by central
 * differences of the float64 reference with step `eps`.
 */
export function referenceStateGrads(
  kind: CellKind,
  layer: Recurrent,
  input: Tensor,
  w: ArrayLike<number>,
  eps = 1e-6,
): { hGrads: Float64Array; cGrads: Float64Array } {
  const [batch, T] = input.shape;
  const u = layer.units;
  const loss = (nudge: Nudge) => {
    const out = referenceForward(kind, layer, input, nudge);
    let sum = 0;
    for (let i = 0; i < out.length; i++) sum += w[i] * out[i];
    return sum;
  };
  const hGrads = new Float64Array(T * batch * u),
    cGrads = new Float64Array(T * batch * u);
  for (let t = 0; t < T; t++) {
    for (let index = 0; index < batch * u; index++) {
      const at = (h: number, c: number) => loss({ index, step: t, h, c });
      hGrads[t * batch * u + index] = (at(eps, 0) - at(-eps, 0)) / (2 * eps);
      if (kind === 'lstm') cGrads[t * batch * u + index] = (at(0, eps) - at(0, -eps)) / (2 * eps);
    }
  }
  return { hGrads, cGrads };
}
