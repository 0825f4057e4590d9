/**
 * gradscope as a user meets it: the project packed once, the tarball installed into a fresh
 * temporary project, then the `gradscope` command through npx, the library from an ESM script
 * and the declarations from a TypeScript consumer. The suite runs after `npm run build`, so the
 * pack skips the prepack build (`--ignore-scripts`) instead of building a second time.
 */
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { consumerProject } from './consumer-lock.js';
import { NATIVE_FILE } from '../../src/engine/kernels/native.js';
import { TRAIN_SCRIPT, TS_CONSUMER, TSCONFIG } from './consumer-sources.js';

/** The repository root, from dist/test/package/. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const KERNELS = ['build/kernels.wasm', 'build/vector.wasm'];
/** What the install builds the native kernels from (scripts/build-native.mjs). */
const NATIVE_SOURCES = [
  'scripts/build-native.mjs',
  'native/binding.gyp',
  'native/addon.c',
  'native/products.c',
  'native/adam.c',
  'native/kernels.h',
];

interface PackResult {
  filename: string;
  integrity: string;
  version: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: { path: string }[];
}

let work: string;
let project: string;
/** The installed command's node_modules/.bin link, which is what a global install makes too. */
let bin: string;
let packed: PackResult;

/** `npm_config_yes=false`: npx runs the installed bin or fails, never fetches a namesake. */
function run(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CI: '1', npm_config_yes: 'false' },
  });
  const output = `${command} ${args.join(' ')} (exit ${result.status}):\n${result.stderr}`;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, output };
}

before(() => {
  for (const file of ['dist/src/cli.js', ...KERNELS]) {
    if (!existsSync(join(ROOT, file)))
      throw new Error(
        `package test: expected a built project. Received no ${file}; run npm run build`,
      );
  }
  work = mkdtempSync(join(tmpdir(), 'gradscope-package-'));
  project = join(work, 'consumer');
  bin = join(project, 'node_modules/.bin/gradscope');
  const started = performance.now();
  const pack = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT);
  assert.equal(pack.code, 0, pack.output);
  [packed] = JSON.parse(pack.stdout) as PackResult[];
  const packSeconds = (performance.now() - started) / 1000;

  const repoLock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
  const tarball = { ...packed, filename: `../${packed.filename}` };
  const { packageJson, lockfile } = consumerProject(repoLock, tarball, 'gradscope-consumer');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify(packageJson, null, 2));
  writeFileSync(join(project, 'package-lock.json'), JSON.stringify(lockfile, null, 2));
  const install = run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], project);
  assert.equal(install.code, 0, install.output);
  const installSeconds = (performance.now() - started) / 1000 - packSeconds;
  console.log(
    `package: ${packed.filename}, ${packed.size} bytes packed, ${packed.unpackedSize} unpacked, ` +
      `${packed.entryCount} files; pack ${packSeconds.toFixed(1)} s, install ${installSeconds.toFixed(1)} s`,
  );
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the tarball holds the library, its types, the kernels and the data, and no tests', () => {
  const files = packed.files.map((file) => file.path);
  for (const file of [
    ...KERNELS,
    'data/titanic/train.csv',
    'data/titanic/SOURCE.md',
    'LICENSE',
    'README.md',
    'package.json',
    'dist/src/index.js',
    'dist/src/index.d.ts',
    ...NATIVE_SOURCES,
  ])
    assert.ok(files.includes(file), `expected ${file} in the tarball`);
  const unwanted = files.filter((file) =>
    /^(src|test|bench|assembly|dist\/(test|bench|src\/dashboard\/web))\/|fixture|\.map$|\.tsbuildinfo$/.test(
      file,
    ),
  );
  assert.deepEqual(unwanted, []);
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const targets: string[] = [
    ...Object.values<string>(manifest.bin),
    ...Object.values<string | Record<string, string>>(manifest.exports).flatMap((target) =>
      typeof target === 'string' ? [target] : Object.values(target),
    ),
  ];
  for (const target of targets)
    assert.ok(files.includes(target.replace(/^\.\//, '')), `expected ${target} in the tarball`);
});

test('installing the package builds the native kernels where this clone built them', () => {
  const built = join(project, 'node_modules/gradscope/native/build/Release/products.node');
  assert.equal(existsSync(built), existsSync(NATIVE_FILE), `expected ${built} as ${NATIVE_FILE}`);
  // Nothing but the sources travels: the module is built for the machine that installs.
  assert.ok(!packed.files.some((file) => file.path.startsWith('native/build/')));
});

test('the declarations import types only from runtime dependencies', () => {
  const installed = join(project, 'node_modules/gradscope');
  const { dependencies } = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
  const declarations = readdirSync(join(installed, 'dist'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.d.ts'))
    .map((file) => readFileSync(join(installed, 'dist', file), 'utf8'));
  assert.ok(declarations.length > 10, `declarations: ${declarations.length}`);
  const specifiers = declarations.flatMap((text) =>
    [...text.matchAll(/(?:from|import\()\s*'([^'.][^']*)'/g)].map((match) => match[1]),
  );
  const packageName = (specifier: string) =>
    specifier
      .split('/')
      .slice(0, specifier.startsWith('@') ? 2 : 1)
      .join('/');
  const foreign = specifiers.filter(
    (specifier) => !specifier.startsWith('node:') && !(packageName(specifier) in dependencies),
  );
  assert.deepEqual([...new Set(foreign)], []);
});

test('npx gradscope --version and the linked bin with -V print the package version', () => {
  // Then the link itself, from another directory: nothing is looked for relative to the cwd.
  for (const [command, args, cwd] of [
    ['npx', ['gradscope', '--version'], project],
    [bin, ['-V'], work],
  ] as const) {
    const result = run(command, [...args], cwd);
    assert.equal(result.code, 0, result.output);
    assert.equal(result.stdout, `${packed.version}\n`);
  }
});

test('npx gradscope rnn --json runs the kernels from node_modules', () => {
  const out = join(work, 'runs-rnn');
  const result = run('npx', ['gradscope', 'rnn', '--json', '--out', out], project);
  assert.equal(result.code, 0, result.output);
  const json = JSON.parse(result.stdout);
  assert.equal(json.norms.length, 20);
  assert.equal(json.clippedNorms.length, 20);
  assert.ok(Math.max(...json.norms) > 100, `norms: ${json.norms}`);
  assert.ok(Math.max(...json.clippedNorms) <= 100 + 1e-9, `clipped: ${json.clippedNorms}`);
  assert.ok(existsSync(join(out, 'report.html')));
});

test('gradscope titanic --json reads the Titanic data shipped in the package', () => {
  const out = join(work, 'runs-titanic');
  const result = run(bin, ['titanic', '--updates', '2', '--json', '--out', out], work);
  assert.equal(result.code, 0, result.output);
  const json = JSON.parse(result.stdout);
  assert.ok(json.features.includes('Pclass_1'), `features: ${json.features}`);
  for (const model of ['sigmoid', 'relu']) assert.equal(json.models[model].gradNorm.W0.length, 2);
});

test('an ESM script imports the library and trains two steps', () => {
  writeFileSync(join(project, 'train.mjs'), TRAIN_SCRIPT);
  const result = run(process.execPath, ['train.mjs', join(work, 'runs-train')], project);
  assert.equal(result.code, 0, result.output);
  const { steps, kernelChanged, epochLoss, runs, loss } = JSON.parse(result.stdout);
  assert.equal(steps, 2);
  assert.ok(kernelChanged > 0, 'the first kernel did not change');
  assert.equal(epochLoss.length, 1);
  assert.ok(Number.isFinite(epochLoss[0]));
  assert.deepEqual(runs, ['xor']);
  assert.deepEqual(
    loss.map((point: { step: number }) => point.step),
    [0, 1],
  );
});

test('a TypeScript consumer type-checks against the shipped declarations', () => {
  writeFileSync(join(project, 'tsconfig.json'), TSCONFIG);
  writeFileSync(join(project, 'consumer.ts'), TS_CONSUMER);
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  const result = run(process.execPath, [tsc, '-p', 'tsconfig.json'], project);
  assert.equal(result.code, 0, `${result.output}\n${result.stdout}`);
});
