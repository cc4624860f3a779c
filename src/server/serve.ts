// Starts the daemon's HTTP API on collect.listen (a Node HTTP server around the Hono app) with a fresh
// bearer token, and writes the endpoint file next to the store so the CLI of the same user can reach
// it; closing removes the file and stops the server.

import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { AppError, type Clock, type Logger } from '../core/index.js';
import type { AuthConfig, ListenAddress } from '../config/index.js';
import type { DaemonRuntime, ServedRuntime, ServeRuntime } from '../service/index.js';
import { createApiApp } from './app.js';
import { removeEndpoint, writeEndpoint } from './endpoint.js';

export interface ApiServerOptions {
  listen: ListenAddress;
  /** collect.allowedHosts: Host names answered besides the listen address and localhost. */
  allowedHosts: readonly string[];
  /** collect.auth: sessions, cookies, single sign-on. */
  auth: AuthConfig;
  /** The endpoint file goes next to it; none: no file (tests). */
  storePath?: string;
  logger: Logger;
  clock: Clock;
  /** The dashboard's bundled folder; none: the API only. */
  webDir?: string;
}

export interface ApiServer extends ServedRuntime {
  token: string;
}

export async function startApiServer(runtime: DaemonRuntime, o: ApiServerOptions): Promise<ApiServer> {
  const token = randomBytes(24).toString('base64url');
  const app = createApiApp({ operations: runtime.operations, metrics: runtime.metrics, sessions: runtime.sessions, auth: o.auth, clock: o.clock, token, hosts: { listenHost: o.listen.host, allowed: o.allowedHosts }, logger: o.logger, ...(o.webDir ? { webDir: o.webDir } : {}) });
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new AppError('listen', `Cannot listen on ${o.listen.host}:${o.listen.port} for /metrics and the API (${err.code ?? err.message}); set collect.listen to a free address, or false.`)),
    );
    server.listen(o.listen.port, o.listen.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${host}:${addr.port}`;
  if (o.storePath) writeEndpoint(o.storePath, { pid: process.pid, url, token, startedAt: new Date(o.clock.now()).toISOString() });
  o.logger.info('The daemon serves /metrics, /healthz and the API under /api/v1.', { url });
  return {
    url,
    token,
    close: async () => {
      if (o.storePath) removeEndpoint(o.storePath);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** How the daemon of `config` serves its runtime: the API on collect.listen, or nothing when it is false. */
export function apiServing(config: { collect: { listen: ListenAddress | null; allowedHosts: readonly string[]; auth: AuthConfig }; store: { path: string } }, logger: Logger, clock: Clock, webDir?: string): ServeRuntime {
  return async (runtime) => {
    const listen = config.collect.listen;
    if (!listen) return null;
    return startApiServer(runtime, { listen, allowedHosts: config.collect.allowedHosts, auth: config.collect.auth, storePath: config.store.path, logger: logger.child({ part: 'api' }), clock, ...(webDir ? { webDir } : {}) });
  };
}
