/**
 * No silent NaN from the heap growing (issue 7): over the model sizes that gave NaN on main,
 * every loss is finite, and a run whose every allocation grows the heap (stress mode) trains
 * bit for bit like one that grows the heap rarely.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { heap } from '../../src/engine/heap.js';
import { runSweep } from './heap-sweep-run.js';
import type { SweepCase } from './heap-sweep-run.js';

/** The same sweep in a fresh process whose heap stress mode is `stress`. */
function sweepInChild(stress: boolean): SweepCase[] {
  const runner = new URL('./heap-sweep-run.js', import.meta.url).href;
  const script = `import { runSweep } from ${JSON.stringify(runner)};
process.stdout.write(JSON.stringify(runSweep()));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, GRADSCOPE_HEAP_STRESS: stress ? '1' : '0' },
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  assert.equal(child.status, 0, `the child sweep failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as SweepCase[];
}

function label(c: SweepCase): string {
  return `${c.middle} batch ${c.batchSize} × units ${c.units}`;
}

test('Dense → Dropout/BatchNormalization → Dense: finite losses, the same bits with and without heap stress', () => {
  const here = runSweep();
  const there = sweepInChild(!heap.stress);
  assert.equal(there.length, here.length);
  for (const [i, c] of here.entries()) {
    const other = there[i];
    for (const run of [c, other]) {
      assert.ok(
        run.losses.length > 0 && run.losses.every(Number.isFinite),
        `${label(run)}: losses ${JSON.stringify(run.losses)} (null: NaN from the child)`,
      );
    }
    assert.equal(label(other), label(c));
    assert.deepEqual(other.losses, c.losses, `${label(c)}: losses`);
    assert.equal(other.weightsDigest, c.weightsDigest, `${label(c)}: weights`);
  }
});
