/**
 * The installed package's own directory, found from this module's URL rather than the current
 * directory, so the kernels, the bundled data and package.json are found from a clone and from
 * node_modules/gradscope alike. This file compiles to dist/src/package-root.js: two levels up.
 */
import { readFileSync } from 'node:fs';

export const PACKAGE_ROOT = new URL('../../', import.meta.url);

/** The `version` field of gradscope's package.json. */
export function packageVersion(): string {
  const text = readFileSync(new URL('package.json', PACKAGE_ROOT), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}
