/**
 * Weight initializers by Keras name. Fans follow Keras: for a kernel of shape [..., in, out]
 * the receptive field is the product of the leading dims, fanIn = field·in, fanOut = field·out.
 * The "normal" variants draw from a normal truncated at two standard deviations, scaled by
 * 1/0.87962566103423978 so the truncated distribution keeps the intended variance (as Keras).
 */
import { lookup, ValueError } from './errors.js';
import type { RandomState } from './random.js';
import type { Shape } from './tensor.js';
import { shapeSize } from './tensor.js';

export type Initializer = (shape: Shape, rng: RandomState) => Float32Array;

export type InitializerName =
  | 'glorot_uniform'
  | 'glorot_normal'
  | 'he_uniform'
  | 'he_normal'
  | 'lecun_uniform'
  | 'lecun_normal'
  | 'zeros'
  | 'ones'
  | 'random_normal'
  | 'random_uniform'
  | 'orthogonal';

/** A name, or a name with arguments: `{ name: 'random_normal', stddev: 0.5 }`. */
export type InitializerSpec =
  | InitializerName
  | { name: 'random_normal'; mean?: number; stddev?: number }
  | { name: 'random_uniform'; minval?: number; maxval?: number };

/** Keras' RandomNormal default standard deviation. */
export const RANDOM_NORMAL_STDDEV = 0.05;
/** Keras' RandomUniform default half-width. */
export const RANDOM_UNIFORM_LIMIT = 0.05;
const TRUNCATED_STDDEV_CORRECTION = 0.87962566103423978;

export function computeFans(shape: Shape): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0], fanOut: shape[0] };
  const field = shapeSize(shape.slice(0, -2));
  return { fanIn: field * shape[shape.length - 2], fanOut: field * shape[shape.length - 1] };
}

function uniform(limit: number): Initializer {
  return (shape, rng) => {
    const values = new Float32Array(shapeSize(shape));
    for (let i = 0; i < values.length; i++) values[i] = (2 * rng.randomSample() - 1) * limit;
    return values;
  };
}

function truncatedNormal(stddev: number): Initializer {
  return (shape, rng) => {
    const values = new Float32Array(shapeSize(shape));
    for (let i = 0; i < values.length; i++) {
      let x: number;
      do x = rng.standardNormal();
      while (Math.abs(x) > 2);
      values[i] = x * stddev;
    }
    return values;
  };
}

type VarianceScaling = (fans: { fanIn: number; fanOut: number }) => number;

function scaled(draw: (scale: number) => Initializer, scale: VarianceScaling): Initializer {
  return (shape, rng) => draw(scale(computeFans(shape)))(shape, rng);
}

const glorotVariance: VarianceScaling = ({ fanIn, fanOut }) => 2 / (fanIn + fanOut);
const heVariance: VarianceScaling = ({ fanIn }) => 2 / fanIn;
const lecunVariance: VarianceScaling = ({ fanIn }) => 1 / fanIn;

const uniformFromVariance = (v: VarianceScaling) => scaled(uniform, (f) => Math.sqrt(3 * v(f)));
const normalFromVariance = (v: VarianceScaling) =>
  scaled(truncatedNormal, (f) => Math.sqrt(v(f)) / TRUNCATED_STDDEV_CORRECTION);

function constant(value: number): Initializer {
  return (shape) => new Float32Array(shapeSize(shape)).fill(value);
}

function randomNormal(mean = 0, stddev = RANDOM_NORMAL_STDDEV): Initializer {
  return (shape, rng) => {
    const values = new Float32Array(shapeSize(shape));
    for (let i = 0; i < values.length; i++) values[i] = mean + stddev * rng.standardNormal();
    return values;
  };
}

function randomUniform(minval = -RANDOM_UNIFORM_LIMIT, maxval = RANDOM_UNIFORM_LIMIT): Initializer {
  return (shape, rng) => {
    const values = new Float32Array(shapeSize(shape));
    for (let i = 0; i < values.length; i++)
      values[i] = minval + (maxval - minval) * rng.randomSample();
    return values;
  };
}

/** A random orthogonal matrix (Gram–Schmidt on a Gaussian matrix); Keras' recurrent default. */
const orthogonal: Initializer = (shape, rng) => {
  const cols = shape[shape.length - 1];
  const rows = shapeSize(shape) / cols;
  // Orthonormalise the longer side's vectors, then transpose if needed.
  const [count, length] = rows >= cols ? [cols, rows] : [rows, cols];
  const vectors = Array.from({ length: count }, () => {
    const v = new Float64Array(length);
    for (let i = 0; i < length; i++) v[i] = rng.standardNormal();
    return v;
  });
  for (let a = 0; a < count; a++) {
    for (let b = 0; b < a; b++) {
      let dot = 0;
      for (let i = 0; i < length; i++) dot += vectors[a][i] * vectors[b][i];
      for (let i = 0; i < length; i++) vectors[a][i] -= dot * vectors[b][i];
    }
    const norm = Math.hypot(...vectors[a]);
    for (let i = 0; i < length; i++) vectors[a][i] /= norm;
  }
  const values = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      values[r * cols + c] = rows >= cols ? vectors[c][r] : vectors[r][c];
    }
  }
  return values;
};

const namedInitializers: Readonly<Record<InitializerName, Initializer>> = {
  glorot_uniform: uniformFromVariance(glorotVariance),
  glorot_normal: normalFromVariance(glorotVariance),
  he_uniform: uniformFromVariance(heVariance),
  he_normal: normalFromVariance(heVariance),
  lecun_uniform: uniformFromVariance(lecunVariance),
  lecun_normal: normalFromVariance(lecunVariance),
  zeros: constant(0),
  ones: constant(1),
  random_normal: randomNormal(),
  random_uniform: randomUniform(),
  orthogonal,
};

export function getInitializer(spec: InitializerSpec): Initializer {
  if (typeof spec === 'string') return lookup(namedInitializers, spec, 'initializer');
  if (spec.name === 'random_normal') {
    const stddev = spec.stddev ?? RANDOM_NORMAL_STDDEV;
    if (!(stddev >= 0)) {
      throw new ValueError(`random_normal: stddev must be >= 0. Received: stddev=${stddev}`);
    }
    return randomNormal(spec.mean ?? 0, stddev);
  }
  if (spec.name === 'random_uniform') {
    return randomUniform(spec.minval ?? -RANDOM_UNIFORM_LIMIT, spec.maxval ?? RANDOM_UNIFORM_LIMIT);
  }
  return lookup(namedInitializers, (spec as { name: string }).name, 'initializer');
}
