/**
 * Titanic passengers → a numeric design matrix, fitted on the training split only.
 *
 * Split: RandomState(seed).permutation(n) (numpy-compatible); the first
 * floor(n·(1 − validationSplit)) passengers of it train, the rest validate, as Keras's
 * `validation_split` cuts. Features, in this order (d = 12):
 * - Pclass_1, Pclass_2, Pclass_3: one-hot ticket class;
 * - Sex: 1 for female, 0 for male;
 * - Age, imputed with the training split's median age; AgeMissing: 1 where Age was empty;
 * - SibSp, Parch: counts;
 * - Fare: log1p(fare), because fares are heavily right-skewed (0 to 512);
 * - Embarked_C, Embarked_Q, Embarked_S: one-hot port, empty ports imputed with the training
 *   split's most frequent port ('S' in the Kaggle file; ties go to the first of C, Q, S).
 * Age, SibSp, Parch and Fare are then standardized, (v − mean) / std, with the training
 * split's mean and population std (std 0 → 1). The 0/1 columns are left as they are.
 * Nothing of the validation split enters the median, the mode, the means or the stds.
 * A value whose standardization overflows (an Age of 1e300) is an error naming its column
 * and CSV line; a training split smaller than one batch is reported in `warnings`.
 */
import { RandomState } from '../engine/random.js';
import { DataError } from './errors.js';
import type { Port, TitanicPassenger } from './titanic.js';
import { median } from '../engine/statistics.js';

export const TITANIC_FEATURE_NAMES = [
  'Pclass_1',
  'Pclass_2',
  'Pclass_3',
  'Sex',
  'Age',
  'AgeMissing',
  'SibSp',
  'Parch',
  'Fare',
  'Embarked_C',
  'Embarked_Q',
  'Embarked_S',
] as const;

/** Indices in TITANIC_FEATURE_NAMES of the standardized columns: Age, SibSp, Parch, Fare. */
const STANDARDIZED = [4, 6, 7, 8];
const PORTS: readonly Port[] = ['C', 'Q', 'S'];
const DEFAULT_VALIDATION_SPLIT = 0.2;
const DEFAULT_SEED = 0;

export interface PrepareTitanicArgs {
  /** Fraction of passengers held out for validation, in [0, 1). Defaults to 0.2. */
  validationSplit?: number;
  /** Seed of the permutation that assigns passengers to the splits. Defaults to 0. */
  seed?: number;
  /**
   * The batch size training will use, only to warn when the training split is smaller.
   * Defaults to none (no check).
   */
  batchSize?: number;
}

export interface TitanicSplit {
  /** count × d features, row-major. */
  x: Float32Array;
  /** count targets, 1 = survived. */
  y: Float32Array;
  count: number;
  /** Index of each row in the input passenger array. */
  indices: Int32Array;
}

export interface TitanicDataset {
  featureNames: string[];
  /** Number of features per passenger. */
  d: number;
  train: TitanicSplit;
  validation: TitanicSplit;
  /** What was fitted on the training split, to apply the same transform to new passengers. */
  fitted: { ageMedian: number; embarkedMode: Port; mean: number[]; std: number[] };
  /** Problems that do not stop training, for the caller to show (e.g. a split under a batch). */
  warnings: string[];
}

/** Where a passenger came from, for messages: its CSV line, else its PassengerId. */
function origin(p: TitanicPassenger): string {
  return p.line !== undefined ? `line ${p.line}` : `PassengerId ${p.passengerId}`;
}

function overflow(p: TitanicPassenger, column: number, value: number, what: string): DataError {
  return new DataError(
    `prepareTitanic: ${origin(p)}, column ${TITANIC_FEATURE_NAMES[column]}: ${what}. ` +
      `Received: ${value}`,
  );
}

function rawFeatures(p: TitanicPassenger, ageMedian: number, embarkedMode: Port): number[] {
  const port = p.embarked ?? embarkedMode;
  return [
    ...([1, 2, 3] as const).map((c) => Number(p.pclass === c)),
    Number(p.sex === 'female'),
    p.age ?? ageMedian,
    Number(p.age === null),
    p.sibSp,
    p.parch,
    Math.log1p(p.fare),
    ...PORTS.map((c) => Number(port === c)),
  ];
}

/** Splits the passengers and builds standardized features; see the top of this file. */
export function prepareTitanic(
  passengers: readonly TitanicPassenger[],
  args: PrepareTitanicArgs = {},
): TitanicDataset {
  const { validationSplit = DEFAULT_VALIDATION_SPLIT, seed = DEFAULT_SEED, batchSize } = args;
  if (!(validationSplit >= 0 && validationSplit < 1)) {
    throw new RangeError(
      'prepareTitanic: validationSplit must be in [0, 1). ' +
        `Received: validationSplit=${validationSplit}`,
    );
  }
  const order = new RandomState(seed).permutation(passengers.length);
  const trainCount = Math.floor(passengers.length * (1 - validationSplit));
  const trainIndices = order.slice(0, trainCount);
  const train = Array.from(trainIndices, (i) => passengers[i]);

  const ages = train.flatMap((p) => (p.age === null ? [] : [p.age]));
  const portCounts = PORTS.map((port) => train.filter((p) => p.embarked === port).length);
  if (ages.length === 0 || Math.max(...portCounts) === 0) {
    throw new DataError(
      `prepareTitanic: the training split (${trainCount} passengers) needs at least one known ` +
        `Age and Embarked to impute from. Received: ${ages.length} ages, ` +
        `${portCounts.reduce((a, b) => a + b, 0)} ports`,
    );
  }
  const ageMedian = median(ages);
  const embarkedMode = PORTS[portCounts.indexOf(Math.max(...portCounts))];

  const trainRaw = train.map((p) => rawFeatures(p, ageMedian, embarkedMode));
  const d = TITANIC_FEATURE_NAMES.length;
  const mean = new Array<number>(d).fill(0);
  const std = new Array<number>(d).fill(1);
  for (const j of STANDARDIZED) {
    mean[j] = trainRaw.reduce((sum, row) => sum + row[j], 0) / trainCount;
    const variance = trainRaw.reduce((sum, row) => sum + (row[j] - mean[j]) ** 2, 0) / trainCount;
    std[j] = variance > 0 ? Math.sqrt(variance) : 1;
    if (!Number.isFinite(variance)) {
      // The largest magnitude is the value that overflowed the training split's statistics.
      const worst = trainRaw.reduce(
        (w, row, r) => (Math.abs(row[j]) > Math.abs(trainRaw[w][j]) ? r : w),
        0,
      );
      throw overflow(
        train[worst],
        j,
        trainRaw[worst][j],
        "the training split's variance overflows; expected values whose square fits a float64",
      );
    }
  }

  const toSplit = (indices: Int32Array): TitanicSplit => {
    const x = new Float32Array(indices.length * d);
    const y = new Float32Array(indices.length);
    indices.forEach((index, row) => {
      const features = rawFeatures(passengers[index], ageMedian, embarkedMode);
      features.forEach((value, j) => {
        x[row * d + j] = (value - mean[j]) / std[j];
        if (!Number.isFinite(x[row * d + j])) {
          throw overflow(
            passengers[index],
            j,
            value,
            `standardized, (v − ${mean[j]}) / ${std[j]} overflows float32; expected values ` +
              'within float32 range after scaling',
          );
        }
      });
      y[row] = passengers[index].survived;
    });
    return { x, y, count: indices.length, indices };
  };
  const warnings: string[] = [];
  if (batchSize !== undefined && trainCount < batchSize) {
    warnings.push(
      `the training split has ${trainCount} passengers, fewer than one batch of ${batchSize}: ` +
        `every update uses all ${trainCount}`,
    );
  }
  return {
    featureNames: [...TITANIC_FEATURE_NAMES],
    d,
    train: toSplit(trainIndices),
    validation: toSplit(order.slice(trainCount)),
    fitted: { ageMedian, embarkedMode, mean, std },
    warnings,
  };
}
