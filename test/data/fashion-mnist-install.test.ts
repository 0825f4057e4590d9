import test from 'node:test';
import assert from 'node:assert/strict';
import { DataError } from '../../src/data/errors.js';
import { FASHION_MNIST_ENV } from '../../src/data/fashion-mnist.js';
import {
  ensureFashionMnist,
  installFashionMnistPackage,
  type CommandRunner,
} from '../../src/data/fashion-mnist-install.js';
import { tempDir, writeSyntheticFashionMnist } from './idx-fixtures.js';

delete process.env[FASHION_MNIST_ENV];

/** A fake apt-get answering each call with the next exit code, recording the calls. */
function fakeRunner(codes: number[]): { run: CommandRunner; calls: string[] } {
  const calls: string[] = [];
  const run: CommandRunner = async (command, args, log) => {
    calls.push([command, ...args].join(' '));
    log(`output of ${calls.length}`);
    return codes[calls.length - 1];
  };
  return { run, calls };
}

const INSTALL = '/usr/bin/apt-get install -y dataset-fashion-mnist';
const SEARCHED = ['/nowhere/a', '/nowhere/b'];

test('installs the Debian package, updating the lists and retrying once if needed', async () => {
  const first = fakeRunner([0]);
  const lines: string[] = [];
  await installFashionMnistPackage(first.run, (line) => lines.push(line), SEARCHED);
  assert.deepEqual(first.calls, [INSTALL]);
  assert.ok(lines.includes('output of 1'));
  // Says what is installed, why, and where it goes, before running anything.
  assert.match(
    lines[0],
    /^Fashion-MNIST not found in \/nowhere\/a, \/nowhere\/b; installing the Debian package dataset-fashion-mnist \(running as root: \/usr\/bin\/apt-get install -y dataset-fashion-mnist\), which puts the files in \/usr\/share\/datasets\/fashion-mnist\/\.$/,
  );

  const retried = fakeRunner([100, 0, 0]);
  await installFashionMnistPackage(retried.run, () => {}, SEARCHED);
  assert.deepEqual(retried.calls, [INSTALL, '/usr/bin/apt-get update', INSTALL]);
});

test('a failed installation is a DataError naming the command and the alternatives', async () => {
  const updateFails = fakeRunner([100, 100]);
  await assert.rejects(
    installFashionMnistPackage(updateFails.run, () => {}, SEARCHED),
    (error: unknown) => {
      assert.ok(error instanceof DataError);
      assert.match(error.message, /apt-get update failed \(exit code 100\)/);
      assert.match(error.message, /--data-dir DIR/);
      return true;
    },
  );
  assert.deepEqual(updateFails.calls, [INSTALL, '/usr/bin/apt-get update']);

  const retryFails = fakeRunner([100, 0, 1]);
  await assert.rejects(
    installFashionMnistPackage(retryFails.run, () => {}, SEARCHED),
    /apt-get install -y dataset-fashion-mnist failed \(exit code 1\)/,
  );
});

test('ensureFashionMnist loads data that is present and explains when it is not', async () => {
  const data = await ensureFashionMnist({ dir: writeSyntheticFashionMnist(true) });
  assert.equal(data.train.count, 5);
  await assert.rejects(
    ensureFashionMnist({ install: false, searchPaths: [tempDir()] }),
    (error: unknown) => {
      assert.ok(error instanceof DataError);
      for (const way of [
        'apt-get install dataset-fashion-mnist',
        '~/.keras/datasets/fashion-mnist/',
        '--data-dir DIR or GRADSCOPE_FASHION_MNIST_DIR',
      ]) {
        assert.ok(error.message.includes(way), `message mentions ${way}`);
      }
      return true;
    },
  );
});
