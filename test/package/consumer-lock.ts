/**
 * A package-lock.json for the temporary consumer project, made from the repository's own: the
 * packed tarball, every runtime package at the version the repository pins, and @types/node for
 * the TypeScript consumer. `npm ci --offline` on it installs from npm's cache alone, which
 * `npm ci` in the repository filled, so the test needs nothing the lockfile does not pin.
 */

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dev?: boolean;
  [field: string]: unknown;
}

interface Lockfile {
  name: string;
  version?: string;
  lockfileVersion: number;
  requires?: boolean;
  packages: Record<string, LockEntry>;
}

export interface PackedTarball {
  /** File name, relative to the consumer project. */
  filename: string;
  integrity: string;
  version: string;
}

/** Dev-only packages the consumer needs too: the Node types its TypeScript check reads. */
const CONSUMER_DEV_PACKAGES = ['node_modules/@types/node', 'node_modules/undici-types'];

/** The consumer's package.json and package-lock.json, which name the same dependencies. */
export function consumerProject(
  repoLock: Lockfile,
  tarball: PackedTarball,
  consumerName: string,
): { packageJson: object; lockfile: Lockfile } {
  const { '': root, ...installed } = repoLock.packages;
  const packages: Record<string, LockEntry> = {};
  for (const [path, entry] of Object.entries(installed)) {
    if (!entry.dev) packages[path] = entry;
    else if (CONSUMER_DEV_PACKAGES.includes(path)) packages[path] = { ...entry, dev: undefined };
  }
  const typesNodeVersion = packages['node_modules/@types/node']?.version;
  if (typesNodeVersion === undefined) {
    throw new Error('consumerProject: expected @types/node in package-lock.json. Received none');
  }
  const resolved = `file:${tarball.filename}`;
  packages['node_modules/gradscope'] = {
    version: tarball.version,
    resolved,
    integrity: tarball.integrity,
    // npm runs a dependency's install script (the native kernels' build) only if its lock
    // entry says it has one, as npm's own lock of the package would.
    hasInstallScript: root.hasInstallScript,
    license: root.license,
    dependencies: root.dependencies,
    bin: root.bin,
    engines: root.engines,
  };
  const dependencies = { gradscope: resolved, '@types/node': typesNodeVersion };
  return {
    packageJson: { name: consumerName, private: true, type: 'module', dependencies },
    lockfile: {
      name: consumerName,
      lockfileVersion: repoLock.lockfileVersion,
      requires: true,
      packages: { '': { name: consumerName, dependencies }, ...packages },
    },
  };
}
