// Bundles the dashboard page (src/dashboard/web) with its dependencies (vega-embed, the shared
// chart builders) into dist/dashboard/, so the server serves only files of the package itself.
import { copyFileSync, mkdirSync } from 'node:fs';
import { build } from 'esbuild';

const outdir = 'dist/dashboard';
mkdirSync(outdir, { recursive: true });
await build({
  entryPoints: ['src/dashboard/web/main.ts'],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: false,
  legalComments: 'linked',
  outfile: `${outdir}/app.js`,
  logLevel: 'warning',
});
for (const file of ['index.html', 'style.css']) {
  copyFileSync(`src/dashboard/web/${file}`, `${outdir}/${file}`);
}
