// web: the dashboard (a Preact single page under app/, bundled by build.ts into this folder of dist/:
// index.html + assets/app.js + assets/app.css). The server serves the folder that webAssetsDir() names;
// text.ts is the one place audit strings are made safe to show, shared by the page and its tests.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export { cut, neutralise, showText, LIST_MAX, DETAIL_MAX } from './text.js';

/** The bundled dashboard's folder (dist/web), or undefined when the bundle was not built. */
export function webAssetsDir(): string | undefined {
  const dir = dirname(fileURLToPath(import.meta.url));
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}
