/** The grid benchmark's in-place shares (bench/kernel-shares.ts). */
import test from 'node:test';
import assert from 'node:assert/strict';
import { kernelShares } from '../../bench/kernel-shares.js';
import { backend, kernels } from '../../src/engine/kernels/index.js';
import { Tensor } from '../../src/engine/tensor.js';

test('kernel shares time the kernels a run calls, count the rest as glue, and put the kernels back', () => {
  const before = [kernels.matmul, backend.adam, backend.elementwise.multiply];
  const [m, k, n] = [64, 64, 64];
  const a = Tensor.fromArray([m, k], new Array(m * k).fill(1));
  const b = Tensor.fromArray([k, n], new Array(k * n).fill(1));
  const c = Tensor.zeros([m, n]);
  let glue = 0;
  const shares = kernelShares(() => {
    for (let i = 0; i < 200; i++) kernels.matmul(a, b, c, m, k, n, false);
    // JavaScript of about the products' time, calling no kernel.
    const end = performance.now() + 20;
    while (performance.now() < end) glue++;
  });
  assert.equal(shares.calls, 200);
  assert.ok(glue > 0);
  assert.ok(shares.products > 0.02 && shares.glue > 0.3, JSON.stringify(shares));
  assert.equal(shares.adam, 0);
  assert.equal(shares.otherKernels, 0);
  const sum = shares.products + shares.adam + shares.otherKernels + shares.glue;
  assert.ok(Math.abs(sum - 1) < 1e-12);
  assert.deepEqual([kernels.matmul, backend.adam, backend.elementwise.multiply], before);
  assert.equal(c.data[0], k, 'the timed product computed');
  for (const t of [a, b, c]) t.dispose();
});
