/**
 * The engine's kernel, parity and finite-difference tests on the other kernel paths, each in a
 * child process (the path is chosen once, at load): the plain-TypeScript reference backend; the
 * matrix products all in 128-bit WebAssembly SIMD (GRADSCOPE_NATIVE=0), or in its relaxed-SIMD
 * build; all native (GRADSCOPE_NATIVE=1), on the 512- and on the 256-bit loop; and split across
 * two threads (GRADSCOPE_THREADS=2, every product of 2 rows or more), in wasm and natively. The
 * default path (native products from NATIVE_MIN_FLOPS, wasm below) runs them in the suite itself.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const FILES = [
  'kernels.test.js',
  'activated-product.test.js',
  'elementwise-kernels.test.js',
  'fused-squares.test.js',
  'layers.test.js',
  'gradcheck.test.js',
  'parity.test.js',
  '../data/image-dataset.test.js',
].map((file) => fileURLToPath(new URL(file, import.meta.url)));

/** The bits of 1 and 2 threads, checked on the wasm path too (the suite's own run is native). */
const THREADS_FILE = fileURLToPath(new URL('kernels-threads.test.js', import.meta.url));

function runOnPath(env: Record<string, string>, files = FILES): string {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  // Without this the child's runner would report into ours instead of printing its summary.
  delete childEnv.NODE_TEST_CONTEXT;
  const result = spawnSync(process.execPath, ['--test', ...files], {
    env: childEnv,
    encoding: 'utf8',
  });
  const summary = `${result.stdout}\n${result.stderr}`;
  assert.equal(result.status, 0, summary.slice(-4000));
  assert.match(summary, /# fail 0/);
  return summary;
}

test('the reference backend passes the kernel, parity and finite-difference tests', () => {
  runOnPath({ GRADSCOPE_KERNELS: 'reference' });
});

test('the relaxed-SIMD matrix products pass the kernel, parity and finite-difference tests', () => {
  const probe = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import('${new URL('../../src/engine/kernels/simd.js', import.meta.url)}')` +
        '.then((m) => console.log(m.relaxedSimd))',
    ],
    { env: { ...process.env, GRADSCOPE_RELAXED_SIMD: '1' }, encoding: 'utf8' },
  );
  assert.equal(probe.stdout.trim(), 'true', `relaxed SIMD could not be enabled: ${probe.stderr}`);
  runOnPath({ GRADSCOPE_RELAXED_SIMD: '1', GRADSCOPE_NATIVE: '0' });
});

test('the 128-bit wasm products pass the kernel, thread, parity and finite-difference tests', () => {
  runOnPath({ GRADSCOPE_NATIVE: '0' }, [...FILES, THREADS_FILE]);
});

test('the wasm products split across two threads pass the kernel, parity and finite-difference tests', () => {
  runOnPath({ GRADSCOPE_THREADS: '2', GRADSCOPE_NATIVE: '0' });
});

test('the native products pass the kernel, parity and finite-difference tests', () => {
  runOnPath({ GRADSCOPE_NATIVE: '1' });
});

test('the native 256-bit loop passes the kernel, parity and finite-difference tests', () => {
  runOnPath({ GRADSCOPE_NATIVE: '1', GRADSCOPE_NATIVE_WIDTH: '256' });
});

test('the native products split across two threads pass the kernel, parity and finite-difference tests', () => {
  runOnPath({ GRADSCOPE_THREADS: '2', GRADSCOPE_NATIVE: '1' });
});
