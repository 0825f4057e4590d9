/**
 * A Dense layer's forward fused into the native product (Kernels.matmulActivated,
 * native/products.c): where it runs, the bits of the product followed by the activation's own
 * pass, for full and edge blocks, k past a panel, NaN and z ≤ 0, on one thread and split
 * across two; where it does not run (wasm products, another activation) it writes nothing, and
 * Dense runs the two apart. On every kernel path (kernel-paths.test.ts).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { elementwiseFunctions } from '../../src/engine/activations.js';
import { ShapeError } from '../../src/engine/errors.js';
import { backend, kernels } from '../../src/engine/kernels/index.js';
import { nativeWidth, runsNatively } from '../../src/engine/kernels/native.js';
import { RandomState } from '../../src/engine/random.js';
import { Tensor } from '../../src/engine/tensor.js';

const GUARD = 8;
const SENTINEL = 12345.5;
/** m × k × n: full 8×32 blocks, edge blocks, k = 784 over several panels of 256, tiny ones. */
const SHAPES = [
  [32, 784, 256],
  [64, 256, 256],
  [5, 300, 37],
  [9, 40, 33],
  [3, 2, 5],
] as const;

/** Whether this process's kernels fuse the forward of m × k × n: wherever it runs natively. */
function fuses(m: number, k: number, n: number): boolean {
  return backend.name === 'simd' && nativeWidth !== null && runsNatively(m, k, n);
}

/** A tensor of `count` floats with GUARD sentinels after them; the kernels get the view. */
function guarded(count: number, values?: ArrayLike<number>): { backing: Tensor; view: Tensor } {
  const backing = Tensor.fromArray([count + GUARD], new Float32Array(count + GUARD).fill(SENTINEL));
  if (values) backing.data.set(values);
  return { backing, view: backing.view([count]) };
}

function bits(t: Tensor): number[] {
  return Array.from(new Uint32Array(t.data.buffer, t.data.byteOffset, t.size));
}

test('the fused forward has the bits of the product and the activation pass, or writes nothing', () => {
  const random = new RandomState(11);
  let fused = 0;
  for (const [m, k, n] of SHAPES) {
    const a = Tensor.fromArray([m * k], random.uniform(-1, 1, m * k));
    // A NaN input makes its row of z NaN; relu must keep it.
    if (m > 1) a.data[k] = NaN;
    const b = Tensor.fromArray([k * n], random.uniform(-1, 1, k * n));
    for (const activation of ['relu', 'linear'] as const) {
      for (const withBias of [true, false]) {
        const bias = withBias ? Tensor.fromArray([n], random.uniform(-0.5, 0.5, n)) : null;
        const what = `${activation} ${m}×${k}×${n}${withBias ? ' with bias' : ''}`;
        // The two apart, as Dense runs them where the product does not fuse.
        const zApart = Tensor.zeros([m * n]);
        const aApart = activation === 'linear' ? zApart : Tensor.zeros([m * n]);
        kernels.matmul(a, b, zApart, m, k, n, false);
        const fn = { name: activation, ...elementwiseFunctions[activation] };
        backend.elementwise.biasActivation(fn, zApart.data, bias?.data ?? null, aApart.data, m, n);
        const z = guarded(m * n);
        const out = activation === 'linear' ? z : guarded(m * n);
        const ran =
          kernels.matmulActivated?.(a, b, z.view, m, k, n, bias, out.view, activation) ?? false;
        assert.equal(ran, fuses(m, k, n), `${what}: fused`);
        if (!ran) {
          for (const { backing } of [z, out]) {
            assert.ok(
              backing.data.every((x) => x === SENTINEL),
              `${what}: nothing written`,
            );
          }
          continue;
        }
        fused++;
        assert.deepEqual(bits(z.view), bits(zApart), `${what}: z`);
        assert.deepEqual(bits(out.view), bits(aApart), `${what}: output`);
        for (const { backing } of [z, out]) {
          assert.deepEqual(Array.from(backing.data.subarray(m * n)), Array(GUARD).fill(SENTINEL));
        }
        if (activation === 'relu') {
          const zs = z.view.data;
          const outBits = bits(out.view);
          // The case holds what relu must get right: NaN kept, every z ≤ 0 to +0.
          assert.ok(zs.some(Number.isNaN) === m > 1, `${what}: a NaN row`);
          assert.ok(
            zs.some((x) => x < 0),
            `${what}: negative z`,
          );
          zs.forEach((x, i) => {
            if (x <= 0) assert.equal(outBits[i], 0, `${what}: relu(${x}) is +0`);
            if (Number.isNaN(x)) assert.ok(Number.isNaN(out.view.data[i]), `${what}: NaN kept`);
          });
        }
      }
    }
  }
  const expected = SHAPES.filter(([m, k, n]) => fuses(m, k, n)).length * 4;
  assert.equal(fused, expected);
});

test('sigmoid and softmax are never fused: the product alone would leave them undone', () => {
  const [m, k, n] = SHAPES[0];
  const [a, b, z, out] = [m * k, k * n, m * n, m * n].map((size) => Tensor.zeros([size]));
  for (const activation of ['sigmoid', 'softmax']) {
    assert.equal(
      kernels.matmulActivated?.(a, b, z, m, k, n, null, out, activation) ?? false,
      false,
    );
  }
});

test('the fused forward rejects a bias or an output too small for the product', () => {
  // Only the SIMD kernels have one; the reference's forward always runs the two apart.
  assert.equal(kernels.matmulActivated === undefined, backend.name === 'reference');
  if (kernels.matmulActivated === undefined) return;
  const [m, k, n] = [4, 3, 5];
  const [a, b, z, out] = [m * k, k * n, m * n, m * n].map((size) => Tensor.zeros([size]));
  const shortBias = Tensor.zeros([n - 1]);
  const shortOut = Tensor.zeros([m * n - 1]);
  assert.throws(
    () => kernels.matmulActivated!(a, b, z, m, k, n, shortBias, out, 'relu'),
    (error: unknown) =>
      error instanceof ShapeError &&
      /bias must hold at least 5 elements for m=4, k=3, n=5\. Received: bias of 4 elements/.test(
        error.message,
      ),
  );
  assert.throws(
    () => kernels.matmulActivated!(a, b, z, m, k, n, null, shortOut, 'relu'),
    /out must hold at least 20 elements for m=4, k=3, n=5\. Received: out of 19 elements/,
  );
});
