/** Flag values through the CLI: bounded, decimal only, usage errors (exit 2) before any file. */
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { run, start, tempOut, waitFor } from './support.js';

test('hex, exponents for integers, out-of-range values and huge counts are usage errors', () => {
  const cases: [string[], RegExp][] = [
    [
      ['fashion', '--epochs', '0x10'],
      /--epochs must be an integer in \[1, 1000\]\. Received: 0x10/,
    ],
    [['fashion', '--epochs', '1e1'], /--epochs must be an integer in \[1, 1000\]\. Received: 1e1/],
    [['fashion', '--epochs', '100000'], /--epochs must be an integer in \[1, 1000\]/],
    [
      ['titanic', '--updates', '1e9'],
      /--updates must be an integer in \[1, 100000\]\. Received: 1e9/,
    ],
    [
      ['titanic', '--learning-rate', '0x1'],
      /--learning-rate must be a positive number\. Received: 0x1/,
    ],
    [['titanic', '--learning-rate', 'Infinity'], /--learning-rate must be a positive number/],
    [['titanic', '--seed', '4294967296'], /--seed must be an integer in \[0, 4294967295\]/],
    [['titanic', '--seed', '-1'], /--seed must be an integer in \[0, 4294967295\]/],
    [['fashion', '--train-samples', '70000'], /--train-samples must be an integer in \[1, 60000\]/],
    [['rnn', '--steps', '1'], /--steps must be an integer in \[2, 1000\]/],
    [['titanic', '--threads', '3'], /--threads must be one of auto, 1, 2\. Received: 3/],
  ];
  for (const [args, message] of cases) {
    const out = path.join(tempOut(), 'run');
    const result = run([...args, '--out', out]);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.equal(fs.existsSync(out), false, `${args.join(' ')} wrote nothing`);
  }
});

test('a long bad value is quoted in part, not whole', () => {
  const result = run(['titanic', '--updates', '9'.repeat(100_000), '--out', tempOut()]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /Received: 9{200}… \(100000 chars\)/);
  assert.ok(result.stderr.length < 1000, `stderr is ${result.stderr.length} chars`);
});

test('gradscope <command> -h works like --help', () => {
  const short = run(['fashion', '-h']);
  const long = run(['fashion', '--help']);
  assert.equal(short.code, 0, short.stderr);
  assert.equal(short.stdout, long.stdout);
  assert.match(short.stdout, /--train-samples/);
});

test('a run whose log would pass 100 MB says so early, with its projection', async () => {
  const out = tempOut();
  const live = start(['titanic', '--updates', '100000', '--activation', 'relu', '--out', out]);
  try {
    await waitFor(() => /warning: the event files/.test(live.stderr()));
    assert.match(
      live.stderr(),
      /titanic: warning: the event files will take about [\d.]+ [MG]B \(20 updates of relu wrote [\d.]+ kB; --updates 100000, 1 model\(s\)\)/,
    );
  } finally {
    live.child.kill('SIGKILL');
  }
});

test('--threads 2 splits the products and gives the same numbers as --threads 1', () => {
  const results = ['1', '2'].map((threads) => {
    const result = run([
      'titanic',
      '--updates',
      '5',
      '--threads',
      threads,
      '--json',
      '--out',
      tempOut(),
    ]);
    assert.equal(result.code, 0, result.stderr);
    return result.stdout;
  });
  assert.equal(results[1], results[0]);
});
