/**
 * tidy: tensors created inside are released when it returns, so that a thread training one
 * model after another reuses the heap's blocks instead of growing it per model.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { heap } from '../../src/engine/heap.js';
import { Tensor, tidy } from '../../src/engine/tensor.js';
import { runTask } from '../../src/experiments/sequence/task.js';
import type { SequenceTask } from '../../src/experiments/sequence/task.js';

test('tidy disposes what it created and keeps what it returns and what existed before', () => {
  const before = Tensor.zeros([8]);
  const live = heap.liveBytes;
  let inner: Tensor | undefined;
  const kept = tidy(() => {
    inner = Tensor.zeros([100]);
    Tensor.fromArray([2], [1, 2]).dispose();
    // A block taken over by `resized` belongs to the new tensor: released once, at the end.
    Tensor.resized(Tensor.zeros([50]), [40]);
    return Tensor.fromArray([3], [4, 5, 6]);
  });
  assert.deepEqual(kept.toArray(), [4, 5, 6]);
  assert.throws(() => inner!.data, { message: 'Tensor: used after dispose()' });
  assert.equal(before.data.length, 8);
  assert.equal(heap.liveBytes, live + 16, 'only the returned tensor (3 floats → 16 bytes) stays');
  kept.dispose();
  before.dispose();
});

test('tidy releases its tensors when the work throws', () => {
  const live = heap.liveBytes;
  assert.throws(
    () =>
      tidy(() => {
        Tensor.zeros([1000]);
        throw new Error('boom');
      }),
    { message: 'boom' },
  );
  assert.equal(heap.liveBytes, live);
});

test('nested tidy: the inner result belongs to the outer scope', () => {
  const live = heap.liveBytes;
  tidy(() => {
    const inner = tidy(() => Tensor.zeros([10]));
    assert.equal(inner.size, 10);
  });
  assert.equal(heap.liveBytes, live);
});

test('two adding-problem tasks one after another hold no more heap than one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradscope-tidy-'));
  try {
    const task = (model: SequenceTask['model'], name: string): SequenceTask => ({
      model,
      timesteps: 6,
      units: 8,
      steps: 3,
      batchSize: 4,
      learningRate: 0.01,
      testSamples: 8,
      seed: 1,
      logDir: join(dir, name),
    });
    // A first task takes the thread's kept scratch blocks (the kernels' packing and norm lists),
    // which are the engine's for the life of the thread, not the task's.
    runTask(task('lstm', 'warm-up'));
    const live = heap.liveBytes;
    runTask(task('lstm', 'a'));
    assert.equal(heap.liveBytes, live, 'the first task released every block it took');
    const size = heap.memory.buffer.byteLength;
    runTask(task('lstm', 'b'));
    runTask(task('gru', 'c'));
    assert.equal(heap.liveBytes, live);
    // Stress mode grows the memory by a page on every allocation, reused block or not.
    if (!heap.stress) {
      assert.equal(heap.memory.buffer.byteLength, size, 'the next tasks reused the blocks');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
