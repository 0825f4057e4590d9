/**
 * The Titanic passenger list (Kaggle's `train.csv`, 891 rows; provenance in
 * data/titanic/SOURCE.md), read into typed, validated rows. The features a model sees are
 * built by `prepareTitanic` (titanic-features.ts), documented there.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PACKAGE_ROOT } from '../package-root.js';
import { parseCsv } from './csv.js';
import { DataError } from './errors.js';

export { prepareTitanic } from './titanic-features.js';
export type { PrepareTitanicArgs, TitanicDataset, TitanicSplit } from './titanic-features.js';

/** data/titanic/train.csv of the package, wherever it is installed. */
export const DEFAULT_TITANIC_PATH = fileURLToPath(new URL('data/titanic/train.csv', PACKAGE_ROOT));

export type Port = 'C' | 'Q' | 'S';

export interface TitanicPassenger {
  passengerId: number;
  /** 1 = survived, 0 = died: the target. */
  survived: 0 | 1;
  /** Ticket class, 1 = first. */
  pclass: 1 | 2 | 3;
  sex: 'male' | 'female';
  /** Years; null where the file leaves it empty (177 rows). */
  age: number | null;
  /** Siblings and spouses aboard. */
  sibSp: number;
  /** Parents and children aboard. */
  parch: number;
  /** Fare for the whole ticket, pre-decimal pounds. */
  fare: number;
  /** Port of embarkation; null where empty (2 rows). */
  embarked: Port | null;
}

export const TITANIC_COLUMNS = [
  'PassengerId',
  'Survived',
  'Pclass',
  'Sex',
  'Age',
  'SibSp',
  'Parch',
  'Fare',
  'Embarked',
] as const;

type Column = (typeof TITANIC_COLUMNS)[number];

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Parses the CSV text of the Kaggle training file; `source` starts error messages. */
export function parseTitanic(text: string, source = 'titanic.csv'): TitanicPassenger[] {
  const { header, rows, rowLines } = parseCsv(text, source);
  const missing = TITANIC_COLUMNS.filter((column) => !header.includes(column));
  if (missing.length) {
    throw new DataError(
      `${source}: missing columns ${missing.join(', ')}. Found: ${header.join(', ')}`,
    );
  }
  const at = Object.fromEntries(header.map((name, i) => [name, i])) as Record<Column, number>;

  return rows.map((row, r) => {
    const fail = (column: Column, expected: string): DataError =>
      new DataError(
        `${source}: line ${rowLines[r]}, column ${column}: expected ${expected}. ` +
          `Received: '${row[at[column]]}'`,
      );
    const number = (column: Column, integer = false): number => {
      const text = row[at[column]];
      const value = DECIMAL.test(text) ? Number(text) : Number.NaN;
      if (!(value >= 0) || (integer && !Number.isInteger(value))) {
        throw fail(column, integer ? 'a non-negative integer' : 'a non-negative number');
      }
      return value;
    };
    const oneOf = <T extends string>(column: Column, allowed: readonly T[]): T => {
      const text = row[at[column]];
      if (!(allowed as readonly string[]).includes(text)) {
        throw fail(column, `one of ${allowed.map((value) => `'${value}'`).join(', ')}`);
      }
      return text as T;
    };
    const embarked = row[at.Embarked];
    return {
      passengerId: number('PassengerId', true),
      survived: Number(oneOf('Survived', ['0', '1'])) as 0 | 1,
      pclass: Number(oneOf('Pclass', ['1', '2', '3'])) as 1 | 2 | 3,
      sex: oneOf('Sex', ['male', 'female']),
      age: row[at.Age] === '' ? null : number('Age'),
      sibSp: number('SibSp', true),
      parch: number('Parch', true),
      fare: number('Fare'),
      embarked: embarked === '' ? null : oneOf<Port>('Embarked', ['C', 'Q', 'S']),
    };
  });
}

/** Reads and validates a Titanic CSV file. Defaults to the copy shipped in data/titanic/. */
export function loadTitanic(path: string = DEFAULT_TITANIC_PATH): TitanicPassenger[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new DataError(`${path}: cannot read the Titanic data: ${reason}`);
  }
  return parseTitanic(text, path);
}
