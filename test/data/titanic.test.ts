import test from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DataError } from '../../src/data/errors.js';
import {
  DEFAULT_TITANIC_PATH,
  loadTitanic,
  parseTitanic,
  prepareTitanic,
} from '../../src/data/titanic.js';

const HEADER = 'PassengerId,Survived,Pclass,Name,Sex,Age,SibSp,Parch,Ticket,Fare,Cabin,Embarked';

test('the shipped train.csv is the documented file and loads completely', () => {
  const bytes = readFileSync(DEFAULT_TITANIC_PATH);
  assert.equal(
    createHash('sha256').update(bytes).digest('hex'),
    '7d118fef8b6ccf7f81111877bc388536f7b1e498a655e3d649d19aaa010e9f6f',
  );
  const passengers = loadTitanic();
  // Figures from data/titanic/SOURCE.md (checked there with Python's csv module).
  assert.equal(passengers.length, 891);
  assert.equal(passengers.filter((p) => p.survived === 1).length, 342);
  assert.equal(passengers.filter((p) => p.sex === 'female').length, 314);
  assert.equal(passengers.filter((p) => p.age === null).length, 177);
  assert.deepEqual(
    passengers.filter((p) => p.embarked === null).map((p) => p.passengerId),
    [62, 830],
  );
  assert.deepEqual(
    passengers.map((p) => p.passengerId),
    Array.from({ length: 891 }, (_, i) => i + 1),
  );
});

test('prepareTitanic matches an independent numpy computation of the same recipe', () => {
  const data = prepareTitanic(loadTitanic());
  assert.equal(data.d, data.featureNames.length);
  assert.equal(data.d, 12);
  // perm = np.random.RandomState(0).permutation(891); train = perm[:int(891 * 0.8)];
  // median / mode / mean / std (ddof 0) over the training rows with Python's csv module.
  assert.equal(data.train.count, 712);
  assert.equal(data.validation.count, 179);
  assert.deepEqual(Array.from(data.train.indices.subarray(0, 5)), [495, 648, 278, 31, 255]);
  assert.deepEqual(Array.from(data.validation.indices.subarray(0, 3)), [528, 696, 621]);
  assert.equal(
    data.train.y.reduce((a, b) => a + b, 0),
    261,
  );
  assert.equal(data.fitted.ageMedian, 28);
  assert.equal(data.fitted.embarkedMode, 'S');
  const close = (actual: number[], expected: number[], tolerance: number): void => {
    assert.equal(actual.length, expected.length);
    actual.forEach((value, i) =>
      assert.ok(Math.abs(value - expected[i]) <= tolerance, `[${i}] ${value} vs ${expected[i]}`),
    );
  };
  const pick = (values: number[]): number[] => [4, 6, 7, 8].map((j) => values[j]);
  close(
    pick(data.fitted.mean),
    [29.200252808988765, 0.5140449438202247, 0.37359550561797755, 2.9451460804495726],
    1e-12,
  );
  close(
    pick(data.fitted.std),
    [13.13373770973907, 1.0743822046067018, 0.8008278682629273, 0.971605858621638],
    1e-12,
  );
  // Passenger index 495 (first in training, Age missing) and 528 (first in validation).
  close(
    Array.from(data.train.x.subarray(0, 12)),
    [
      0, 0, 1, 0, -0.09138699620962143, 1, -0.4784563183784485, -0.466511607170105,
      -0.21304935216903687, 1, 0, 0,
    ],
    1e-6,
  );
  close(
    Array.from(data.validation.x.subarray(0, 12)),
    [
      0, 0, 1, 0, 0.7461506724357605, 0, -0.4784563183784485, -0.466511607170105,
      -0.7783915400505066, 0, 0, 1,
    ],
    1e-6,
  );

  assert.ok(data.train.x.every(Number.isFinite));
  assert.ok(data.validation.x.every(Number.isFinite));
  for (const j of [4, 6, 7, 8]) {
    let sum = 0;
    let squares = 0;
    for (let r = 0; r < data.train.count; r++) {
      sum += data.train.x[r * data.d + j];
      squares += data.train.x[r * data.d + j] ** 2;
    }
    assert.ok(Math.abs(sum / data.train.count) < 1e-6, `${data.featureNames[j]} mean`);
    assert.ok(Math.abs(squares / data.train.count - 1) < 1e-5, `${data.featureNames[j]} variance`);
  }
});

test('validation passengers do not influence the fitted transform', () => {
  const passengers = loadTitanic();
  const before = prepareTitanic(passengers, { seed: 7 });
  const altered = passengers.map((p) => ({ ...p }));
  for (const index of before.validation.indices) {
    altered[index].age = 80;
    altered[index].fare = 500;
    altered[index].embarked = 'Q';
  }
  const after = prepareTitanic(altered, { seed: 7 });
  assert.deepEqual(after.fitted, before.fitted);
  assert.deepEqual(after.train.x, before.train.x);
  assert.notDeepEqual(after.validation.x, before.validation.x);
});

test('the split follows the seed and validationSplit', () => {
  const passengers = loadTitanic();
  const a = prepareTitanic(passengers, { seed: 1, validationSplit: 0.5 });
  assert.equal(a.train.count, 445); // floor(891 × 0.5)
  assert.equal(a.validation.count, 446);
  const all = [...a.train.indices, ...a.validation.indices].sort((x, y) => x - y);
  assert.deepEqual(
    all,
    Array.from({ length: 891 }, (_, i) => i),
  );
  assert.notDeepEqual(prepareTitanic(passengers, { seed: 2 }).train.indices, a.train.indices);
  assert.equal(prepareTitanic(passengers, { validationSplit: 0 }).validation.count, 0);
  assert.throws(
    () => prepareTitanic(passengers, { validationSplit: 1 }),
    /validationSplit must be in \[0, 1\)\. Received: validationSplit=1/,
  );
});

test('malformed Titanic files give errors with line and column', () => {
  const row = (fields: string): string => `${HEADER}\r\n1,0,3,"Braund, Mr. Owen",${fields}\r\n`;
  const good = 'male,22,1,0,A/5 21171,7.25,,S';
  assert.equal(parseTitanic(row(good)).length, 1);
  const cases: [string, RegExp][] = [
    [row(good).replace('Age,', 'Years,'), /t\.csv: missing columns Age\. Found: PassengerId,/],
    [
      row(good).replace(',22,', ',abc,'),
      /t\.csv: line 2, column Age: expected a non-negative number\. Received: 'abc'/,
    ],
    [
      row(good).replace('1,0,3', '1,2,3'),
      /t\.csv: line 2, column Survived: expected one of '0', '1'\. Received: '2'/,
    ],
    [
      row(good).replace('7.25', ''),
      /line 2, column Fare: expected a non-negative number\. Received: ''/,
    ],
    [
      row(good).replace('male', 'm'),
      /line 2, column Sex: expected one of 'male', 'female'\. Received: 'm'/,
    ],
    [
      row(good).replace(',1,0,A', ',1.5,0,A'),
      /line 2, column SibSp: expected a non-negative integer\. Received: '1\.5'/,
    ],
    [
      row(good).replace(',S\r', ',X\r'),
      /line 2, column Embarked: expected one of 'C', 'Q', 'S'\. Received: 'X'/,
    ],
    [row(good).replace('"Braund', 'Braund"'), /t\.csv: line 2: a quote inside an unquoted field/],
    [
      `${HEADER}\r\n1,0,3,"Braund, Mr. Owen,${good}\r\n`,
      /t\.csv: line 2: unterminated quoted field/,
    ],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => parseTitanic(text, 't.csv'),
      (error: unknown) => error instanceof DataError && message.test(error.message),
      message.source,
    );
  }
  assert.throws(
    () => loadTitanic('/nonexistent/train.csv'),
    /\/nonexistent\/train\.csv: cannot read the Titanic data: file not found/,
  );
});

test('a header with a byte-order mark loads like one without', () => {
  const text = readFileSync(DEFAULT_TITANIC_PATH, 'utf8');
  assert.deepEqual(parseTitanic(`\ufeff${text}`), parseTitanic(text));
});

/** The shipped file with passenger 1's (line 2's) `column` value replaced. */
function withFirstValue(column: 'Age' | 'Fare' | 'SibSp', value: string): string {
  const text = readFileSync(DEFAULT_TITANIC_PATH, 'utf8');
  const line = '1,0,3,"Braund, Mr. Owen Harris",male,22,1,0,A/5 21171,7.25,,S';
  assert.ok(text.includes(line));
  const fields = { Age: [',22,1,0,', `,${value},1,0,`], SibSp: [',22,1,0,', `,22,${value},0,`] };
  const replaced =
    column === 'Fare'
      ? line.replace(',7.25,', `,${value},`)
      : line.replace(fields[column][0], fields[column][1]);
  return text.replace(line, replaced);
}

test('a value whose scaling overflows is an error naming its column and line', () => {
  const passengers = loadTitanic();
  // Passenger 1 (index 0) lands in the training split for some seeds, in validation for others:
  // the training statistics overflow in the first case, the scaled value in the second.
  const seeds = [0, 1, 2, 3, 4, 5, 6, 7];
  const inTrain = seeds.map((seed) =>
    prepareTitanic(passengers, { seed }).train.indices.includes(0),
  );
  assert.ok(inTrain.includes(true) && inTrain.includes(false));
  for (const [column, value] of [
    ['Age', '1e300'],
    ['SibSp', '1e300'],
    ['Age', '1e200'],
  ] as const) {
    const huge = parseTitanic(withFirstValue(column, value));
    for (const seed of seeds) {
      assert.throws(
        () => prepareTitanic(huge, { seed }),
        (error: unknown) =>
          error instanceof DataError &&
          error.message.startsWith(`prepareTitanic: line 2, column ${column}: `) &&
          error.message.endsWith(`Received: ${Number(value)}`),
        `${column}=${value}, seed ${seed}`,
      );
    }
  }
});

test('a value that is not finite names its CSV line and column', () => {
  assert.throws(
    () => parseTitanic(withFirstValue('Fare', '1e400'), 't.csv'),
    (error: unknown) =>
      error instanceof DataError &&
      error.message ===
        "t.csv: line 2, column Fare: expected a finite number (this one overflows float64). Received: '1e400'",
  );
});

test('a training split smaller than one batch is warned about', () => {
  const passengers = loadTitanic();
  const small = prepareTitanic(passengers, { validationSplit: 0.99, batchSize: 32 });
  assert.equal(small.train.count, 8);
  assert.deepEqual(small.warnings, [
    'the training split has 8 passengers, fewer than one batch of 32: every update uses all 8',
  ]);
  assert.deepEqual(prepareTitanic(passengers, { batchSize: 32 }).warnings, []);
  assert.deepEqual(prepareTitanic(passengers, { validationSplit: 0.99 }).warnings, []);
});
