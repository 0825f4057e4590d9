/**
 * The run directory through the CLI: bad flags and inputs cost nothing, files gradscope did not
 * write are kept or refused, and a second run into a live run's directory is refused.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { run, start, tempOut, waitFor } from './support.js';

const QUICK = ['titanic', '--updates', '3', '--activation', 'relu'];

/** Every file below `dir` with its bytes, to compare before and after. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath ?? entry.path, entry.name);
    out[path.relative(dir, full)] = fs.readFileSync(full).toString('base64');
  }
  return out;
}

test('a rerun with a bad flag or a missing data file keeps the previous results whole', () => {
  const out = tempOut();
  const first = run([...QUICK, '--out', out]);
  assert.equal(first.code, 0, first.stderr);
  const before = snapshot(out);
  assert.ok(Object.keys(before).some((f) => f.includes('tfevents')));
  assert.ok('report.html' in before);
  const attempts: [string[], number, RegExp][] = [
    [['--data', 'no-such.csv'], 1, /no-such\.csv: cannot read the Titanic data/],
    [['--seed', '-1'], 2, /--seed must be an integer in \[0, 4294967295\]\. Received: -1/],
    [['--clip-norm', '1', '--clip-value', '1'], 2, /set only one of --clip-norm/],
    [['--batch-size', '5000'], 2, /--batch-size must be at most the 712 training passengers/],
  ];
  for (const [flags, code, message] of attempts) {
    const result = run([...QUICK, ...flags, '--out', out]);
    assert.equal(result.code, code, `${flags.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.deepEqual(snapshot(out), before, `${flags.join(' ')} left the run as it was`);
  }
});

test("a rerun replaces gradscope's own files and keeps everyone else's", () => {
  const out = tempOut();
  assert.equal(run([...QUICK, '--out', out]).code, 0);
  const own = Object.keys(snapshot(out)).filter((f) => f.includes('tfevents'));
  const theirs: Record<string, string> = {
    'figures/diagram.png': 'a PNG of their own',
    'notes/events.out.tfevents.1.elsewhere': 'another tool',
    'other-tool/events.out.tfevents.2.elsewhere': 'another tool',
    'titanic/README.txt': 'notes beside the run',
  };
  for (const [rel, text] of Object.entries(theirs)) {
    fs.mkdirSync(path.dirname(path.join(out, rel)), { recursive: true });
    fs.writeFileSync(path.join(out, rel), text);
  }
  const rerun = run([...QUICK, '--out', out]);
  assert.equal(rerun.code, 0, rerun.stderr);
  const after = snapshot(out);
  for (const [rel, text] of Object.entries(theirs))
    assert.equal(Buffer.from(after[rel], 'base64').toString(), text, rel);
  for (const rel of own) assert.ok(!(rel in after), `the previous ${rel} was replaced`);
  assert.equal(Object.keys(after).filter((f) => f.startsWith('titanic/relu/')).length, 1);
});

test('files gradscope would write but did not are refused, and nothing is touched', () => {
  for (const [rel, message] of [
    ['report.html', /report\.html exists and gradscope did not write it/],
    [
      'titanic/relu/events.out.tfevents.9.pytorch',
      /events\.out\.tfevents\.9\.pytorch is an event file gradscope did not write/,
    ],
    ['figures/titanic-loss.png', /titanic-loss\.png exists and gradscope did not write it/],
  ] as const) {
    const out = tempOut();
    fs.mkdirSync(path.dirname(path.join(out, rel)), { recursive: true });
    fs.writeFileSync(path.join(out, rel), 'theirs');
    const result = run([...QUICK, '--out', out]);
    assert.equal(result.code, 1, rel);
    assert.match(result.stderr, message);
    assert.equal(fs.readFileSync(path.join(out, rel), 'utf8'), 'theirs');
  }
});

test('--out /proc/self, / and an empty path are usage errors that write nothing', () => {
  for (const [out, message] of [
    ['/proc/self', /inside the virtual file system \/proc/],
    ['/', /received the file-system root/],
    ['', /received an empty path/],
  ] as const) {
    const result = run(['rnn', '--out', out]);
    assert.equal(result.code, 2, out);
    assert.match(result.stderr, message);
  }
});

test('a second run into a live run is refused; a killed run is taken over', async () => {
  const out = tempOut();
  const live = start(['titanic', '--updates', '100000', '--activation', 'relu', '--out', out]);
  try {
    await waitFor(() => fs.existsSync(path.join(out, 'titanic', 'relu')));
    const second = run([...QUICK, '--out', out]);
    assert.equal(second.code, 1);
    assert.match(
      second.stderr,
      new RegExp(`another gradscope run \\(pid ${live.child.pid} on .*\\) is writing to`),
    );
  } finally {
    live.child.kill('SIGKILL');
  }
  await new Promise((resolve) => live.child.once('exit', resolve));
  const orphans = fs.readdirSync(path.join(out, 'titanic', 'relu'));
  assert.equal(orphans.length, 1);
  const third = run([...QUICK, '--out', out]);
  assert.equal(third.code, 0, third.stderr);
  assert.match(third.stderr, new RegExp(`took over the lock of gradscope pid ${live.child.pid}`));
  const now = fs.readdirSync(path.join(out, 'titanic', 'relu'));
  assert.equal(now.length, 1);
  assert.notEqual(now[0], orphans[0], "the killed run's event file was replaced");
  assert.equal(fs.existsSync(path.join(out, '.gradscope.lock')), false, 'released at exit');
});
