// Bundles the dashboard at build time (`npm run build`, scripts/test.sh): esbuild turns app/main.tsx
// (Preact, wouter-preact, Chart.js) and app/app.css into dist/web/assets/app.js and app.css, minified,
// and copies app/index.html beside them. Nothing is fetched when the page opens: every byte the
// browser loads is in this folder, served by the daemon from the same origin.

import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url)); // dist/web
const source = join(here, '..', '..', 'src', 'web', 'app');

export async function buildWeb(outDir: string = here): Promise<void> {
  mkdirSync(join(outDir, 'assets'), { recursive: true });
  await build({
    entryPoints: { app: join(source, 'main.tsx') },
    outdir: join(outDir, 'assets'),
    bundle: true,
    minify: true,
    sourcemap: true,
    format: 'esm',
    target: ['chrome110', 'firefox110', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'linked',
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  copyFileSync(join(source, 'index.html'), join(outDir, 'index.html'));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildWeb();
