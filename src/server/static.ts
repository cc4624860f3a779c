// Serves the dashboard's bundled files (the folder built by `npm run build`, passed in by the
// composition root so the server never imports the web code): `index.html` for `/` and every
// dashboard path (the single page routes in the browser), and `/assets/<name>` for the bundle. The
// files are read once at start-up into memory, so no request path ever reaches the file system.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../core/index.js';

/** The paths the single page answers (its router draws them); anything else falls through. */
const PAGE = /^\/(?:|login|overview|alerts|alerts\/[^/]+|search|users\/[^/]+|ips\/[^/]+|reports|rules)\/?$/;

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

interface Asset {
  body: Buffer;
  type: string;
}

/** The dashboard's files from `dir` (index.html + assets/); refuses a folder without index.html. */
export function webStatic(dir: string): MiddlewareHandler {
  const indexFile = join(dir, 'index.html');
  if (!existsSync(indexFile)) {
    throw new AppError('web_missing', `The dashboard's files are not in ${dir} (no index.html); run \`npm run build\` to bundle them.`);
  }
  const index = readFileSync(indexFile);
  const assets = new Map<string, Asset>();
  const assetDir = join(dir, 'assets');
  if (existsSync(assetDir)) {
    for (const name of readdirSync(assetDir)) {
      const type = TYPES[extname(name)];
      const file = join(assetDir, name);
      if (type && statSync(file).isFile()) assets.set(`/assets/${name}`, { body: readFileSync(file), type });
    }
  }
  return async (c, next) => {
    const method = c.req.method;
    if (method !== 'GET' && method !== 'HEAD') return next();
    const path = c.req.path;
    if (PAGE.test(path)) {
      return c.body(new Uint8Array(index), 200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
    }
    const asset = assets.get(path);
    if (asset) return c.body(new Uint8Array(asset.body), 200, { 'content-type': asset.type, 'cache-control': 'no-cache' });
    return next();
  };
}
