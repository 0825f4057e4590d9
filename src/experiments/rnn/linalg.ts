/**
 * Closed-form spectra of 2×2 matrices, in float64, for the RNN experiment: the singular values
 * bound how much one step through Wh can stretch the gradient, the eigenvalues set how fast it
 * grows in the long run.
 */
import { ValueError } from '../../engine/errors.js';

/** A complex number; real eigenvalues have im = 0. */
export interface Complex {
  re: number;
  im: number;
}

/** A matrix as rows. */
export type Matrix = readonly (readonly number[])[];

function entries2x2(m: Matrix, caller: string): [number, number, number, number] {
  if (m.length !== 2 || m[0].length !== 2 || m[1].length !== 2) {
    const shape = `[${m.length}, ${m.map((row) => row.length).join('|')}]`;
    throw new ValueError(`${caller}: expected a 2×2 matrix. Received: shape ${shape}`);
  }
  return [m[0][0], m[0][1], m[1][0], m[1][1]];
}

/**
 * Singular values of [[a, b], [c, d]], largest first. With q = ½‖(a+d, c−b)‖ and
 * r = ½‖(a−d, c+b)‖, σ₁ = q + r and σ₂ = |q − r|: no squaring, so no precision lost to A·Aᵀ.
 */
export function singularValues2x2(m: Matrix): [number, number] {
  const [a, b, c, d] = entries2x2(m, 'singularValues2x2');
  const q = Math.hypot(a + d, c - b) / 2;
  const r = Math.hypot(a - d, c + b) / 2;
  return [q + r, Math.abs(q - r)];
}

/**
 * Eigenvalues of [[a, b], [c, d]], largest modulus first: λ = t ± √δ with t = (a+d)/2 and
 * δ = ((a−d)/2)² + bc. For real roots the smaller one is det/λ₁, which avoids cancellation.
 */
export function eigenvalues2x2(m: Matrix): [Complex, Complex] {
  const [a, b, c, d] = entries2x2(m, 'eigenvalues2x2');
  const half = (a + d) / 2;
  const discriminant = ((a - d) / 2) ** 2 + b * c;
  if (discriminant < 0) {
    const im = Math.sqrt(-discriminant);
    return [
      { re: half, im },
      { re: half, im: -im },
    ];
  }
  const large = half + (half >= 0 ? 1 : -1) * Math.sqrt(discriminant);
  const small = large === 0 ? 0 : (a * d - b * c) / large;
  return [
    { re: large, im: 0 },
    { re: small, im: 0 },
  ];
}

/** The spectral radius max |λ|. */
export function spectralRadius(eigenvalues: readonly Complex[]): number {
  return Math.max(...eigenvalues.map((lambda) => Math.hypot(lambda.re, lambda.im)));
}

/**
 * The per-step factor g of a least-squares fit ln vₜ ≈ a + t·ln g over t = 0, 1, …: the
 * average geometric growth of a positive series.
 */
export function fittedGrowthFactor(values: readonly number[]): number {
  const n = values.length;
  if (n < 2) {
    throw new ValueError(`fittedGrowthFactor: expected at least 2 values. Received: ${n}`);
  }
  const bad = values.findIndex((v) => !(v > 0 && Number.isFinite(v)));
  if (bad >= 0) {
    throw new ValueError(
      `fittedGrowthFactor: expected positive finite values (float64 over- or underflows after ` +
        `enough steps). Received: value ${values[bad]} at t = ${bad + 1} of ${n}`,
    );
  }
  const meanT = (n - 1) / 2;
  const logs = values.map(Math.log);
  const meanLog = logs.reduce((sum, v) => sum + v, 0) / n;
  let covariance = 0;
  let variance = 0;
  logs.forEach((logValue, t) => {
    covariance += (t - meanT) * (logValue - meanLog);
    variance += (t - meanT) ** 2;
  });
  return Math.exp(covariance / variance);
}
