/**
 * Fetching Fashion-MNIST when it is missing: as root on Debian, the `dataset-fashion-mnist`
 * package puts the official files where `loadFashionMnist` looks first. Anywhere else the
 * user is told the ways to provide the data; nothing is downloaded behind their back.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { clip } from '../engine/quote.js';
import { DataError } from './errors.js';
import {
  DEBIAN_FASHION_MNIST_DIR,
  DEFAULT_FASHION_MNIST_DIRS,
  FASHION_MNIST_HELP,
  findFashionMnistDir,
  loadFashionMnist,
  type FashionMnist,
  type LoadFashionMnistArgs,
} from './fashion-mnist.js';

export const FASHION_MNIST_PACKAGE = 'dataset-fashion-mnist';

/**
 * By absolute path: a root process must not run whatever `apt-get` comes first on PATH, where
 * npm puts node_modules/.bin.
 */
export const APT_GET = '/usr/bin/apt-get';

/** Runs a command, passing each line of its output to `log`; resolves to the exit code. */
export type CommandRunner = (
  command: string,
  args: readonly string[],
  log: (line: string) => void,
) => Promise<number>;

export interface EnsureFashionMnistArgs extends LoadFashionMnistArgs {
  /**
   * Install the Debian package when the data is missing and this process is root with
   * /usr/bin/apt-get. Defaults to true.
   */
  install?: boolean;
  /** Receives progress messages and apt-get's output, line by line. Defaults to discarding them. */
  log?: (line: string) => void;
}

/** The PATH apt-get's own helpers (dpkg, ...) are found on: system directories only. */
const SYSTEM_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Spawns without a shell and with PATH set to the system directories; a command that cannot
 * start resolves to 127, like a shell would.
 */
export const runCommand: CommandRunner = (command, args, log) =>
  new Promise((resolve) => {
    const child = spawn(command, args, {
      env: { ...process.env, PATH: SYSTEM_PATH, DEBIAN_FRONTEND: 'noninteractive' },
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

function installFailure(command: string, code: number): DataError {
  return new DataError(
    `Fashion-MNIST: ${command} failed (exit code ${code}).\n${FASHION_MNIST_HELP}`,
  );
}

/**
 * `/usr/bin/apt-get install -y dataset-fashion-mnist`, first saying what is installed, why
 * (the data is in none of the `searched` places) and where it goes; if that fails (often
 * stale package lists), `apt-get update` and one more try. Throws a DataError if the package
 * cannot be installed.
 */
export async function installFashionMnistPackage(
  run: CommandRunner,
  log: (line: string) => void,
  searched: readonly string[],
): Promise<void> {
  const install = ['install', '-y', FASHION_MNIST_PACKAGE];
  log(
    `Fashion-MNIST not found in ${searched.map(clip).join(', ')}; installing the Debian package ` +
      `${FASHION_MNIST_PACKAGE} (running as root: ${APT_GET} ${install.join(' ')}), ` +
      `which puts the files in ${DEBIAN_FASHION_MNIST_DIR}/.`,
  );
  let code = await run(APT_GET, install, log);
  if (code === 0) return;
  log(`apt-get install exited with code ${code}; updating the package lists and retrying.`);
  const updateCode = await run(APT_GET, ['update'], log);
  if (updateCode !== 0) throw installFailure(`${APT_GET} update`, updateCode);
  code = await run(APT_GET, install, log);
  if (code !== 0) throw installFailure(`${APT_GET} ${install.join(' ')}`, code);
}

/**
 * Loads Fashion-MNIST, first installing the Debian package if the data is missing, `install`
 * is not false, the process runs as root and /usr/bin/apt-get exists. Otherwise a missing data set
 * throws a DataError listing the ways to provide it.
 */
export async function ensureFashionMnist(args: EnsureFashionMnistArgs = {}): Promise<FashionMnist> {
  const log = args.log ?? (() => {});
  const isRoot = process.getuid?.() === 0;
  if (
    findFashionMnistDir(args) === null &&
    args.install !== false &&
    isRoot &&
    existsSync(APT_GET)
  ) {
    await installFashionMnistPackage(
      runCommand,
      log,
      args.searchPaths ?? DEFAULT_FASHION_MNIST_DIRS,
    );
  }
  return loadFashionMnist(args);
}
