import test from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv } from '../../src/data/csv.js';
import { DataError } from '../../src/data/errors.js';

test('parses quoted fields, doubled quotes, commas and line breaks inside quotes', () => {
  const text =
    'id,name,note\r\n1,"McGowan, Miss. Anna ""Annie""",x\r\n2,"two\nlines",""\r\n3,,\r\n';
  const table = parseCsv(text);
  assert.deepEqual(table.header, ['id', 'name', 'note']);
  assert.deepEqual(table.rows, [
    ['1', 'McGowan, Miss. Anna "Annie"', 'x'],
    ['2', 'two\nlines', ''],
    ['3', '', ''],
  ]);
  assert.deepEqual(table.rowLines, [2, 3, 5]);
});

test('CRLF and LF give the same records, with or without a final line break', () => {
  const lf = 'a,b\n1,"x,y"\n2,3';
  const expected = {
    header: ['a', 'b'],
    rows: [
      ['1', 'x,y'],
      ['2', '3'],
    ],
    rowLines: [2, 3],
  };
  assert.deepEqual(parseCsv(lf), expected);
  assert.deepEqual(parseCsv(lf.replaceAll('\n', '\r\n') + '\r\n'), expected);
  // A quoted empty field that ends the text still makes a record.
  assert.deepEqual(parseCsv('a\n""').rows, [['']]);
});

test('malformed CSV errors name the source and the line', () => {
  const cases: [string, RegExp][] = [
    ['a,b\n1,2\n3,"open\n4,5\n', /^data\.csv: line 3: unterminated quoted field/],
    ['a,b\n1,2\n3\n', /^data\.csv: line 3: expected 2 fields \(as in the header\), found 1/],
    ['a,b\n1,2,3\n', /^data\.csv: line 2: expected 2 fields \(as in the header\), found 3/],
    [
      'a,b\n"x"y,2\n',
      /^data\.csv: line 2: expected a comma or line end after a closing quote, found 'y'/,
    ],
    ['a,b\nx"y,2\n', /^data\.csv: line 2: a quote inside an unquoted field/],
    ['a,b\n1,2\n\n3,4\n', /^data\.csv: line 3: expected 2 fields/],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => parseCsv(text, 'data.csv'),
      (error: unknown) => error instanceof DataError && message.test(error.message),
      JSON.stringify(text),
    );
  }
});

test('a byte-order mark before the header is skipped; a repeated column name is an error', () => {
  assert.deepEqual(parseCsv('\ufeffa,b\r\n1,2\r\n'), {
    header: ['a', 'b'],
    rows: [['1', '2']],
    rowLines: [2],
  });
  // Only at the very start: elsewhere it is data.
  assert.deepEqual(parseCsv('a\n\ufeff1').rows, [['\ufeff1']]);
  assert.throws(
    () => parseCsv('a,b,a\n1,2,3\n', 'd.csv'),
    (error: unknown) =>
      error instanceof DataError &&
      error.message ===
        "d.csv: line 1: column name 'a' appears twice in the header (columns 1 and 3); " +
          'expected distinct names',
  );
});
