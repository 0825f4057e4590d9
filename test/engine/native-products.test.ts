/**
 * The native kernels (native/*.c through kernels/native.ts): built and used where the CPU can
 * run them; the products' same bits on the 256- and 512-bit loops, Adam's same bits as wasm's;
 * the setting's errors. The products against the reference run in kernel-paths.test.ts
 * (GRADSCOPE_NATIVE=1).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { heap } from '../../src/engine/heap.js';
import {
  NATIVE_FILE,
  NATIVE_MIN_FLOPS,
  nativeAdam,
  nativeColumnPasses,
  nativeReluGrad,
  nativeUnavailable,
  nativeWidth,
  parseNativeSetting,
  runsNatively,
} from '../../src/engine/kernels/native.js';
import { ACTIVATION_CODES, NATIVE_RELU_GRAD_MIN } from '../../src/engine/kernels/elementwise.js';
import { vectorWasm, type AdamExport } from '../../src/engine/kernels/vector-wasm.js';
import { RandomState } from '../../src/engine/random.js';
import { Tensor } from '../../src/engine/tensor.js';

/** The CPU's feature flags (Linux), or null elsewhere. */
function cpuFlags(): Set<string> | null {
  try {
    const flags = /^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    return flags === null ? null : new Set(flags[1].trim().split(/\s+/));
  } catch {
    return null;
  }
}

const flags = cpuFlags();
const x86 = process.arch === 'x64' || process.arch === 'ia32';
const hasAvx512 = flags?.has('avx512f') === true;
const hasAvx2 = flags?.has('avx2') === true && flags.has('fma');

test('the native products are built and run wherever the CPU has AVX2 + FMA or AVX-512F', (t) => {
  if (!x86 || flags === null) {
    assert.notEqual(nativeUnavailable, null);
    t.diagnostic(`not an x86 Linux machine: ${nativeUnavailable}`);
    return;
  }
  const expected = hasAvx512 ? 'avx512' : hasAvx2 ? 'avx2' : null;
  assert.equal(nativeWidth, expected, `native products unavailable: ${nativeUnavailable}`);
});

test("'auto' runs products of NATIVE_MIN_FLOPS or more natively, smaller ones in wasm", (t) => {
  if (nativeWidth === null) return t.skip(`no native products here: ${nativeUnavailable}`);
  assert.equal(runsNatively(8, 8, 8), false);
  assert.equal(runsNatively(32, 32, 10), true);
  const m = NATIVE_MIN_FLOPS / 2;
  assert.equal(runsNatively(m, 1, 1), true);
  assert.equal(runsNatively(m - 1, 1, 1), false);
});

test('GRADSCOPE_NATIVE accepts 0, 1 and auto, and names what it received otherwise', () => {
  assert.equal(parseNativeSetting(undefined), 'auto');
  assert.equal(parseNativeSetting('auto'), 'auto');
  assert.equal(parseNativeSetting('0'), 0);
  assert.equal(parseNativeSetting('1'), 1);
  assert.throws(
    () => parseNativeSetting('2'),
    /GRADSCOPE_NATIVE must be 0, 1 or auto\. Received: 2/,
  );
});

/**
 * A child process's products of seeded operands over shapes with every edge of the native
 * blocking (rows past MR, columns past NR, k past KC, n past NC), in all three ops, with and
 * without accumulating: the loop's width and the bytes of every result and of its measured Σ C²,
 * hex.
 */
const PRODUCTS_SCRIPT = `
import { createHash } from 'node:crypto';
import { simdKernels } from '${new URL('../../src/engine/kernels/simd.js', import.meta.url)}';
import { nativeWidth } from '${new URL('../../src/engine/kernels/native.js', import.meta.url)}';
import { Tensor } from '${new URL('../../src/engine/tensor.js', import.meta.url)}';
const hash = createHash('sha256');
let seed = 1;
const next = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
const filled = (shape) => Tensor.fromArray(shape, Float32Array.from({ length: shape[0] * shape[1] }, next));
for (const [m, k, n] of [[7, 300, 37], [13, 5, 70], [1, 600, 2100], [130, 257, 33]]) {
  for (const op of ['matmul', 'matmulTransA', 'matmulTransB']) {
    const a = filled(op === 'matmulTransA' ? [k, m] : [m, k]);
    const b = filled(op === 'matmulTransB' ? [n, k] : [k, n]);
    const c = filled([m, n]);
    simdKernels[op](a, b, c, m, k, n, true);
    hash.update(new Uint8Array(c.data.buffer, c.data.byteOffset, m * n * 4));
    simdKernels[op](a, b, c, m, k, n, false);
    hash.update(new Uint8Array(c.data.buffer, c.data.byteOffset, m * n * 4));
    // And the Σ C² a measured product returns (native/products.c gs_squares).
    hash.update(new Float64Array([simdKernels[op](a, b, c, m, k, n, false, true)]));
  }
  // The forward with its bias and relu finished in the microkernel's registers or, at an edge
  // block, after it.
  const [a, b, z, out, bias] = [[m, k], [k, n], [m, n], [m, n], [1, n]].map(filled);
  if (simdKernels.matmulActivated(a, b, z, m, k, n, bias, out, 'relu')) {
    for (const t of [z, out]) hash.update(new Uint8Array(t.data.buffer, t.data.byteOffset, m * n * 4));
  } else if (nativeWidth !== null) {
    throw new Error('a native product did not fuse its forward');
  }
}
console.log(nativeWidth, hash.digest('hex'));
`;

function productsOn(env: Record<string, string>): string {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', PRODUCTS_SCRIPT], {
    env: { ...process.env, GRADSCOPE_NATIVE: '1', ...env },
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.trim();
}

test('the 256- and 512-bit native loops give the same bits', (t) => {
  if (!hasAvx512) return t.skip('this CPU has no AVX-512F: only the 256-bit loop runs here');
  const [wide, wideBits] = productsOn({}).split(' ');
  const [narrow, narrowBits] = productsOn({ GRADSCOPE_NATIVE_WIDTH: '256' }).split(' ');
  assert.equal(wide, 'avx512');
  assert.equal(narrow, 'avx2');
  assert.equal(wideBits, narrowBits);
});

test('GRADSCOPE_NATIVE=0 keeps every product in wasm, whose sums differ in the last bits', () => {
  const [, nativeBits] = productsOn({}).split(' ');
  const [width, wasmBits] = productsOn({ GRADSCOPE_NATIVE: '0' }).split(' ');
  // Different sums of the same products: the hashes differ; kernel-paths.test.ts checks that
  // each is within the reference's tolerance.
  assert.equal(width, 'null');
  assert.notEqual(nativeBits, wasmBits);
});

test('the native Adam update has the bits of the wasm one, Σ Δ² and Σ w² included, in every mode', (t) => {
  const adam = nativeAdam(heap.memory);
  if (adam === null) return t.skip(`no native Adam here: ${nativeUnavailable ?? 'no AVX-512F'}`);
  const updates: AdamExport[] = [adam, vectorWasm.adamUpdate];
  const random = new RandomState(5);
  // Lengths with every tail (16-wide body, 4-wide, scalar); values near each guard, and NaN/Inf.
  for (const n of [0, 3, 4, 15, 16, 17, 37, 1029]) {
    const special = [1e-16, -1e-20, 1e-31, 0, -0, NaN, Infinity, 3e-15, 1e-15];
    const values = (scale: number) =>
      Float32Array.from(random.normal(0, scale, n), (x, i) => (i % 7 === 3 ? special[i % 9] : x));
    const start = [values(0.1), values(1), values(1e-3), values(1e-3).map(Math.abs)];
    for (const [mode, scale] of [
      [0, 0],
      [1, 1],
      [2, 2 ** 40],
    ]) {
      const runs = updates.map((update) => {
        const [w, g, m, v] = start.map((x) => Tensor.fromArray([Math.max(n, 1)], n ? x : [0]));
        // Σ w² of the new weights goes into `weights`.
        const weights = Tensor.zeros([2]);
        const at = weights.ptr;
        const squares = update(
          w.ptr,
          g.ptr,
          m.ptr,
          v.ptr,
          n,
          1e-3,
          0.1,
          1e-3,
          1e-7,
          mode,
          scale,
          at,
        );
        const weightSquares = new Float64Array(weights.data.buffer, weights.data.byteOffset, 1)[0];
        const bits = [w, m, v].map((x) => Buffer.from(x.data.buffer, x.data.byteOffset, n * 4));
        const hex = Buffer.concat(bits).toString('hex');
        const exact = w.data.subarray(0, n).reduce((sum, x) => sum + x * x, 0);
        for (const x of [w, g, m, v, weights]) x.dispose();
        return { squares, weightSquares, exact, bits: hex };
      });
      assert.ok(Object.is(runs[0].squares, runs[1].squares), `n ${n} mode ${mode}: Σ Δ²`);
      assert.ok(
        Object.is(runs[0].weightSquares, runs[1].weightSquares),
        `n ${n} mode ${mode}: Σ w²`,
      );
      assert.equal(runs[0].bits, runs[1].bits, `n ${n} mode ${mode}: w, m, v`);
      // NaN where a new weight is; else the sum of the squares, in float32 groups of eight
      // (assembly/adam.ts: at most 8·2⁻²⁴ of relative error).
      const { weightSquares, exact } = runs[0];
      if (Number.isNaN(exact)) assert.ok(Number.isNaN(weightSquares), `n ${n}: NaN Σ w²`);
      else
        assert.ok(
          Math.abs(weightSquares - exact) <= 5e-7 * exact,
          `n ${n}: Σ w² ${weightSquares}, exactly ${exact}`,
        );
    }
  }
});

test("the native relu backward has the wasm kernel's bits: NaN, 0·Inf and −0 included", (t) => {
  const reluGrad = nativeReluGrad(heap.memory);
  assert.equal(reluGrad !== null, hasAvx512 && nativeWidth !== null);
  if (reluGrad === null) return t.skip('this CPU has no AVX-512F: relu backward runs in wasm');
  const random = new RandomState(9);
  const special = [NaN, -1, 0, -0, Infinity, -Infinity, 2, 1e-40];
  const specialGrad = [1, Infinity, Infinity, -1, -3, NaN, -2, 5];
  // Lengths with and without a tail of the 16-float body.
  for (const n of [NATIVE_RELU_GRAD_MIN, 1029, 4096 + 7]) {
    const z = Tensor.fromArray([n], random.normal(0, 1, n));
    const g = Tensor.fromArray([n], random.normal(0, 1, n));
    for (let i = 0; i < n; i += 37) {
      z.data[i] = special[(i / 37) % special.length];
      g.data[i] = specialGrad[(i / 37) % special.length];
    }
    const [native, wasm] = [Tensor.zeros([n]), Tensor.zeros([n])];
    reluGrad(z.ptr, g.ptr, native.ptr, n);
    vectorWasm.activationGrad(z.ptr, z.ptr, g.ptr, wasm.ptr, n, ACTIVATION_CODES.relu);
    const hex = (x: Tensor) => Buffer.from(x.data.buffer, x.data.byteOffset, n * 4).toString('hex');
    assert.equal(hex(native), hex(wasm), `n ${n}`);
    // The case holds the values that differ between a multiply and a mask.
    assert.ok(
      native.data.some((x) => Object.is(x, -0)),
      `n ${n}: a −0`,
    );
    assert.ok(native.data.some(Number.isNaN), `n ${n}: a NaN`);
  }
});

test("the native column passes have the wasm ones' bits, with tails, nulls and NaN", (t) => {
  const passes = nativeColumnPasses(heap.memory);
  assert.equal(passes !== null, hasAvx512 && nativeWidth !== null);
  if (passes === null) return t.skip('this CPU has no AVX-512F: the column passes run in wasm');
  const random = new RandomState(12);
  const hex = (x: Tensor) =>
    Buffer.from(x.data.buffer, x.data.byteOffset, x.size * 4).toString('hex');
  let nonFinite = 0;
  // Columns: under one register, whole groups of 64 and their tails; 1 row and several.
  for (const [rows, cols] of [
    [1, 5],
    [3, 16],
    [7, 37],
    [32, 64],
    [5, 150],
    [32, 256],
  ]) {
    const n = rows * cols;
    const input = () => {
      const x = Tensor.fromArray([n], random.normal(0.5, 2, n));
      x.data[(7 * rows) % n] = NaN;
      x.data[(11 * rows + 3) % n] = -0;
      return x;
    };
    const [x, g, xHat] = [input(), input(), input()];
    const vector = () => Tensor.fromArray([cols], random.uniform(-2, 2, cols));
    const [mean, invStd, gamma, beta, meanGrad, meanGradXHat] = Array.from({ length: 6 }, vector);
    const runs: string[][] = [passes, vectorWasm].map((kernels) => {
      const out = Array.from({ length: 6 }, (_, k) => Tensor.zeros([k < 4 ? n : cols]));
      kernels.normalize(
        x.ptr,
        mean.ptr,
        invStd.ptr,
        gamma.ptr,
        beta.ptr,
        out[0].ptr,
        out[1].ptr,
        rows,
        cols,
      );
      // Without gamma and beta: 1·x̂ + 0, so −0 comes out +0 on both.
      kernels.normalize(x.ptr, mean.ptr, invStd.ptr, 0, 0, out[2].ptr, out[3].ptr, rows, cols);
      const moments = [Tensor.zeros([cols]), Tensor.zeros([cols])];
      kernels.columnMoments(x.ptr, rows, cols, moments[0].ptr, moments[1].ptr);
      kernels.gradSums(g.ptr, xHat.ptr, rows, cols, out[4].ptr, out[5].ptr);
      const inputGrad = Tensor.zeros([n]);
      kernels.inputGrad(
        g.ptr,
        xHat.ptr,
        invStd.ptr,
        meanGrad.ptr,
        meanGradXHat.ptr,
        inputGrad.ptr,
        rows,
        cols,
      );
      const sums = Tensor.fromArray([cols], beta.data);
      if (kernels === passes) passes.sumRows(g.ptr, sums.ptr, rows, cols);
      else vectorWasm.sumRowsInto(g.ptr, sums.ptr, rows, cols, 0);
      const all = [...out, ...moments, inputGrad, sums];
      nonFinite += all.filter((y) => y.data.some((v) => !Number.isFinite(v))).length;
      return all.map(hex);
    });
    assert.deepEqual(runs[0], runs[1], `${rows}×${cols}`);
  }
  // The NaN inputs reached the outputs: the comparison covered them.
  assert.ok(nonFinite > 0);
});

/** The repository root, from dist/test/engine/. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

test('the native build warns and exits 0 when node-gyp cannot build, so the wasm kernels serve', () => {
  // A copy of the sources, so that the clone's own module is left alone.
  const copy = mkdtempSync(join(tmpdir(), 'gradscope-native-'));
  try {
    cpSync(join(ROOT, 'scripts'), join(copy, 'scripts'), { recursive: true });
    const built = join(ROOT, 'native', 'build');
    cpSync(join(ROOT, 'native'), join(copy, 'native'), {
      recursive: true,
      filter: (source) => !source.startsWith(built),
    });
    const result = spawnSync(process.execPath, [join(copy, 'scripts/build-native.mjs')], {
      env: { ...process.env, npm_config_node_gyp: join(copy, 'no-such-node-gyp.js') },
      encoding: 'utf8',
    });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /native matrix products did not build, so they run in WebAssembly/);
    assert.ok(!existsSync(join(copy, 'native/build/Release/products.node')));
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
});

test('the native build is skipped while the module is newer than its sources', () => {
  const before = statSync(NATIVE_FILE).mtimeMs;
  const result = spawnSync(process.execPath, [join(ROOT, 'scripts/build-native.mjs')], {
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(statSync(NATIVE_FILE).mtimeMs, before);
});
