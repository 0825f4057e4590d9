/** Which run the page shows when none is picked (src/dashboard/web/default-run.ts). */
import test from 'node:test';
import assert from 'node:assert/strict';
import { defaultRun } from '../../src/dashboard/web/default-run.js';

const read = (name: string, flow: boolean) => ({ name, version: '1', flow });
const reading = (name: string) => ({ name, loading: { bytesRead: 1, bytes: 2 } });

test('the first run with gradient-flow tags, saying which runs before it have none', () => {
  const runs = [read('activations', false), read('depth/he', true), read('fashion', true)];
  assert.deepEqual(defaultRun(runs), {
    run: 'depth/he',
    reason: 'the first run with gradient-flow tags (activations has none)',
  });
  assert.deepEqual(defaultRun([read('a', true), read('b', true)]), {
    run: 'a',
    reason: 'the first run with gradient-flow tags',
  });
  const many = ['p', 'q', 'r', 's'].map((name) => read(name, false));
  assert.match(
    (defaultRun([...many, read('t', true)]) as { reason: string }).reason,
    /\(p, q, r and 1 more have none\)$/,
  );
});

test('waits for a run still being read before any known to have gradient flow', () => {
  assert.deepEqual(defaultRun([read('a', false), reading('b'), read('c', true)]), {
    waitingFor: 'b',
  });
  assert.equal((defaultRun([read('a', true), reading('b')]) as { run: string }).run, 'a');
});

test('the only run at once, even while it is read; the first when none has gradient flow', () => {
  assert.deepEqual(defaultRun([reading('big')]), {
    run: 'big',
    reason: 'the only run in the logdir',
  });
  assert.deepEqual(defaultRun([read('a', false), read('b', false)]), {
    run: 'a',
    reason: 'no run has gradient-flow tags: the first run',
  });
  assert.equal(defaultRun([]), undefined);
});
