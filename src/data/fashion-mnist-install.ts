/**
 * Fetching Fashion-MNIST when it is missing: as root on Debian, the `dataset-fashion-mnist`
 * package puts the official files where `loadFashionMnist` looks first. Anywhere else the
 * user is told the ways to provide the data; nothing is downloaded behind their back.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import { DataError } from './errors.js';
import {
  FASHION_MNIST_HELP,
  findFashionMnistDir,
  loadFashionMnist,
  type FashionMnist,
  type FashionMnistLocateArgs,
} from './fashion-mnist.js';

export const FASHION_MNIST_PACKAGE = 'dataset-fashion-mnist';

/** Runs a command, passing each line of its output to `log`; resolves to the exit code. */
export type CommandRunner = (
  command: string,
  args: readonly string[],
  log: (line: string) => void,
) => Promise<number>;

export interface EnsureFashionMnistArgs extends FashionMnistLocateArgs {
  /**
   * Install the Debian package when the data is missing and this process is root with
   * apt-get. Defaults to true.
   */
  install?: boolean;
  /** Receives progress messages and apt-get's output, line by line. Defaults to discarding them. */
  log?: (line: string) => void;
}

/** Spawns without a shell; a command that cannot start resolves to 127, like a shell would. */
export const runCommand: CommandRunner = (command, args, log) =>
  new Promise((resolve) => {
    const child = spawn(command, args, {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    createInterface({ input: child.stdout }).on('line', log);
    createInterface({ input: child.stderr }).on('line', log);
    child.on('error', (error) => {
      log(`${command}: ${error.message}`);
      resolve(127);
    });
    child.on('close', (code) => resolve(code ?? 1));
  });

function aptGetAvailable(): boolean {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  return dirs.some((dir) => existsSync(join(dir, 'apt-get')));
}

function installFailure(command: string, code: number): DataError {
  return new DataError(
    `Fashion-MNIST: ${command} failed (exit code ${code}).\n${FASHION_MNIST_HELP}`,
  );
}

/**
 * `apt-get install -y dataset-fashion-mnist`; if that fails (often stale package lists),
 * `apt-get update` and one more try. Throws a DataError if the package cannot be installed.
 */
export async function installFashionMnistPackage(
  run: CommandRunner,
  log: (line: string) => void,
): Promise<void> {
  const install = ['install', '-y', FASHION_MNIST_PACKAGE];
  log(`Fashion-MNIST not found; installing the Debian package ${FASHION_MNIST_PACKAGE}.`);
  let code = await run('apt-get', install, log);
  if (code === 0) return;
  log(`apt-get install exited with code ${code}; updating the package lists and retrying.`);
  const updateCode = await run('apt-get', ['update'], log);
  if (updateCode !== 0) throw installFailure('apt-get update', updateCode);
  code = await run('apt-get', install, log);
  if (code !== 0) throw installFailure(`apt-get ${install.join(' ')}`, code);
}

/**
 * Loads Fashion-MNIST, first installing the Debian package if the data is missing, `install`
 * is not false, the process runs as root and apt-get exists. Otherwise a missing data set
 * throws a DataError listing the ways to provide it.
 */
export async function ensureFashionMnist(args: EnsureFashionMnistArgs = {}): Promise<FashionMnist> {
  const log = args.log ?? (() => {});
  const isRoot = process.getuid?.() === 0;
  if (findFashionMnistDir(args) === null && args.install !== false && isRoot && aptGetAvailable()) {
    await installFashionMnistPackage(runCommand, log);
  }
  return loadFashionMnist(args);
}
