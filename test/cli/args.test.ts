import test from 'node:test';
import assert from 'node:assert/strict';
import { formatFlags, parseFlags } from '../../src/cli/args.js';
import { UsageError, withDefaults } from '../../src/experiments/flags.js';
import type { FlagSpec } from '../../src/experiments/flags.js';

const SPECS: FlagSpec[] = [
  { name: 'epochs', kind: 'integer', positive: true, default: 10, description: 'epochs' },
  { name: 'learning-rate', kind: 'number', positive: true, description: 'lr' },
  {
    name: 'optimizer',
    kind: 'choice',
    choices: ['sgd', 'adam'],
    default: 'adam',
    description: 'opt',
  },
  { name: 'json', kind: 'boolean', default: false, description: 'json' },
  { name: 'out', kind: 'string', default: 'runs/x', description: 'out' },
];

test('only given flags are parsed; withDefaults fills the rest from the specs', () => {
  assert.deepEqual(parseFlags([], SPECS), {});
  assert.deepEqual(withDefaults(parseFlags(['--epochs', '3'], SPECS), SPECS), {
    epochs: 3,
    'learning-rate': undefined,
    optimizer: 'adam',
    json: false,
    out: 'runs/x',
  });
});

test('--name value, --name=value and boolean flags parse to typed values', () => {
  const flags = parseFlags(
    ['--epochs', '3', '--learning-rate=0.5', '--json', '--optimizer', 'sgd'],
    SPECS,
  );
  assert.equal(flags.epochs, 3);
  assert.equal(flags['learning-rate'], 0.5);
  assert.equal(flags.json, true);
  assert.equal(flags.optimizer, 'sgd');
  assert.equal(parseFlags(['--json=false'], SPECS).json, false);
});

test('bad flags say what was expected and what was received', () => {
  const cases: [string[], RegExp][] = [
    [['--epochs', '2.5'], /--epochs must be a positive integer\. Received: 2\.5/],
    [['--epochs', '0'], /--epochs must be a positive integer\. Received: 0/],
    [['--learning-rate', 'fast'], /--learning-rate must be a positive number\. Received: fast/],
    [['--optimizer', 'adagrad'], /--optimizer must be one of sgd, adam\. Received: adagrad/],
    [['--epoch', '3'], /unknown flag --epoch\. Expected one of: --epochs/],
    [['--epochs'], /--epochs needs a value/],
    [['stray'], /unexpected argument 'stray'/],
    [['--json=yes'], /--json must be true or false\. Received: yes/],
  ];
  for (const [argv, message] of cases) {
    assert.throws(
      () => parseFlags(argv, SPECS),
      (error: unknown) => error instanceof UsageError && message.test(error.message),
    );
  }
});

test('help lists every flag with its default', () => {
  const help = formatFlags(SPECS);
  for (const spec of SPECS) assert.match(help, new RegExp(`--${spec.name}`));
  assert.match(help, /\(default: 10\)/);
  assert.match(help, /<sgd\|adam>/);
});
