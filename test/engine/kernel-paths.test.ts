/**
 * The engine's kernel, parity and finite-difference tests on the other kernel paths, each in a
 * child process (the path is chosen once, at load): the plain-TypeScript reference backend and
 * the relaxed-SIMD build of the matrix products, and the products split across two threads
 * (GRADSCOPE_THREADS=2, every product of 2 rows or more). The default 128-bit SIMD path runs
 * them in the suite itself.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const FILES = [
  'kernels.test.js',
  'elementwise-kernels.test.js',
  'fused-squares.test.js',
  'layers.test.js',
  'gradcheck.test.js',
  'parity.test.js',
].map((file) => fileURLToPath(new URL(file, import.meta.url)));

function runOnPath(env: Record<string, string>): string {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  // Without this the child's runner would report into ours instead of printing its summary.
  delete childEnv.NODE_TEST_CONTEXT;
  const result = spawnSync(process.execPath, ['--test', ...FILES], {
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
  runOnPath({ GRADSCOPE_RELAXED_SIMD: '1' });
});

test('the products split across two threads pass the kernel, parity and finite-difference tests', () => {
  runOnPath({ GRADSCOPE_THREADS: '2' });
});
