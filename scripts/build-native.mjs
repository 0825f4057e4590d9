// Builds the native kernels, the matrix products, Adam, the image gather, the softmax and relu's backward (native/*.c →
// native/build/Release/products.node), with node-gyp, which npm ships, against this Node's own
// headers. Skipped when the module is newer than its sources. Without a C compiler or headers
// the build fails with a warning and the wasm kernels serve (src/engine/kernels/native.ts);
// GRADSCOPE_NATIVE=1 then fails.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const native = fileURLToPath(new URL('../native/', import.meta.url));
const output = join(native, 'build/Release/products.node');
const sources = ['addon.c', 'adam.c', 'gather.c', 'kernels.h', 'lanes16.h', 'softmax.c', 'products.c', 'activations.c', 'columns.c', 'binding.gyp'].map((file) =>
  join(native, file),
);

const modified = (file) => statSync(file).mtimeMs;
if (existsSync(output) && sources.every((file) => modified(file) <= modified(output))) {
  process.exit(0);
}

const prefix = dirname(dirname(process.execPath));
const nodeGyp =
  process.env.npm_config_node_gyp ??
  join(prefix, 'lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');
// Where Node's headers are installed beside it (Debian's /usr/include/node, or a tarball's
// include/node), node-gyp must not try to download them: this machine has no internet.
const nodedir =
  process.env.npm_config_nodedir ??
  (existsSync(join(prefix, 'include/node/node_api.h')) ? prefix : undefined);

const args = [nodeGyp, 'rebuild', ...(nodedir === undefined ? [] : [`--nodedir=${nodedir}`])];
const result = spawnSync(process.execPath, args, { cwd: native, encoding: 'utf8' });
if (result.status !== 0) {
  const said = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error?.message ?? ''}`;
  const lines = said.trim().split('\n').slice(-8).join('\n  ');
  console.warn(
    'gradscope: the native matrix products did not build, so they run in WebAssembly ' +
      `(slower on wide layers). node-gyp said:\n  ${lines}`,
  );
}
