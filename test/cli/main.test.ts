/** The CLI as a user runs it: a child process, exit codes, stdout and stderr. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { productsDescription } from '../../src/engine/kernels/native.js';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, tempOut } from './support.js';

test('--help lists the commands; no command prints the same', () => {
  for (const args of [['--help'], []]) {
    const { code, stdout } = run(args);
    assert.equal(code, 0);
    for (const command of ['seed', 'activations', 'titanic', 'fashion', 'rnn', 'sequence', 'depth'])
      assert.match(stdout, new RegExp(`\\b${command}\\b`));
  }
});

test('a command --help lists its flags', () => {
  const { code, stdout } = run(['titanic', '--help']);
  assert.equal(code, 0);
  for (const flag of ['--updates', '--learning-rate', '--clip-global-norm', '--seed', '--json'])
    assert.match(stdout, new RegExp(flag));
});

test('seed shows no single default where the experiments differ (each keeps its own)', () => {
  const { code, stdout } = run(['seed', '--help']);
  assert.equal(code, 0);
  assert.match(
    stdout,
    /--optimizer <sgd\|adam\|rmsprop>\s+optimizer \(default: each experiment its own\)/,
  );
  assert.match(
    stdout,
    /--learning-rate <number>\s+learning rate \(default: each experiment its own\)/,
  );
  assert.match(
    stdout,
    /--updates <integer>\s+parameter updates \(default: each experiment its own\)/,
  );
});

test('unknown commands and bad flags exit with 2 and a clear message', () => {
  const unknown = run(['train']);
  assert.equal(unknown.code, 2);
  assert.match(
    unknown.stderr,
    /unknown command 'train'\. Expected one of: seed, activations, titanic, fashion, rnn, sequence, depth/,
  );
  const bad = run(['rnn', '--steps', 'many']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--steps must be an integer in \[2, 1000\]\. Received: many/);
  const twoModes = run(['titanic', '--clip-norm', '1', '--clip-value', '1', '--out', tempOut()]);
  assert.equal(twoModes.code, 2);
  assert.match(twoModes.stderr, /set only one of --clip-norm, --clip-global-norm/);
});

test('rnn --json prints exactly the documented object and nothing else on stdout', () => {
  const out = tempOut();
  const { code, stdout } = run(['rnn', '--json', '--out', out]);
  assert.equal(code, 0);
  const parsed = JSON.parse(stdout) as Record<string, unknown>;
  assert.deepEqual(Object.keys(parsed), ['wh', 'norms', 'clippedNorms', 'singularValues']);
  assert.equal((parsed.norms as number[]).length, 20);
  assert.equal((parsed.clippedNorms as number[]).length, 20);
  assert.equal(stdout.trim().split('\n').length, 1);
  assert.ok(existsSync(join(out, 'report.html')));
});

test('titanic writes a report, PNGs and readable event files; --json gives the per-update series', () => {
  const out = tempOut();
  const { code, stdout, stderr } = run(['titanic', '--updates', '12', '--json', '--out', out]);
  assert.equal(code, 0, stderr);
  const parsed = JSON.parse(stdout) as {
    models: Record<string, { gradNorm: Record<string, number[]>; loss: number[] }>;
  };
  assert.deepEqual(Object.keys(parsed.models), ['sigmoid', 'relu']);
  for (const model of Object.values(parsed.models)) {
    assert.equal(model.loss.length, 12);
    for (const w of ['W0', 'W1', 'W2']) assert.equal(model.gradNorm[w].length, 12);
  }
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  assert.match(html, /id="titanic"/);
  // The header says where the products ran, as this process's engine would run them.
  assert.ok(html.includes(`<dd>${productsDescription()}</dd>`), 'products in the header');
  assert.ok(
    readdirSync(join(out, 'figures')).some((f) => f.startsWith('titanic-') && f.endsWith('.png')),
  );
  assert.ok(
    readdirSync(join(out, 'titanic', 'sigmoid')).some((f) => f.startsWith('events.out.tfevents.')),
  );
});

test('without a terminal, progress goes to stderr as plain lines, ending with the dashboard command', () => {
  const out = tempOut();
  const { code, stdout, stderr } = run([
    'titanic',
    '--updates',
    '5',
    '--activation',
    'relu',
    '--out',
    out,
  ]);
  assert.equal(code, 0);
  assert.match(stderr, /titanic: started \(5 steps\)/);
  assert.match(stderr, /titanic: done in/);
  assert.ok(stderr.trimEnd().endsWith(`Dashboard: npx gradscope serve --logdir ${out}`), stderr);
  assert.ok(!stderr.includes('\u001b['), 'no terminal escape sequences');
  assert.equal(stdout, '');
});

test('seed runs every experiment into one report, each with its own defaults', () => {
  const out = tempOut();
  const args = ['seed', '--epochs', '1', '--train-samples', '640', '--updates', '5', '--json'];
  const { code, stdout, stderr } = run([...args, '--out', out]);
  assert.equal(code, 0, stderr);
  const parsed = JSON.parse(stdout) as Record<string, unknown>;
  assert.deepEqual(Object.keys(parsed), [
    'activations',
    'titanic',
    'fashion',
    'rnn',
    'sequence',
    'depth',
  ]);
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  for (const id of ['activations', 'titanic', 'fashion', 'rnn', 'sequence', 'depth'])
    assert.match(html, new RegExp(`id="${id}"`));
  // Fashion keeps Adam and Titanic keeps SGD at 0.1: one flag list, per-experiment defaults.
  assert.match(html, /adam, batch 32, 1 epochs/);
  assert.match(html, /sgd with learning rate 0\.1, batch 32, 5 updates/);
});
