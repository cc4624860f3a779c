// auditwatch serve: the dashboard and the HTTP API over a store, without collection (a store filled by
// import, a copy kept for investigation, or the ClickHouse + PostgreSQL store that collectors elsewhere
// fill). Holds the embedded store like the daemon does, so the other commands of the same user reach
// it through the endpoint file; stops on SIGINT or SIGTERM.

import { collectDefaultMetrics, Registry } from 'prom-client';
import { AppError, safeLine, systemClock, stopOnSignals } from '../core/index.js';
import { listenAddress } from '../config/index.js';
import { configuredSessions, createOperations, openConfiguredStore, serialized } from '../service/index.js';
import { startApiServer } from '../server/index.js';
import { webAssetsDir } from '../web/index.js';
import { parseOptions, type CliIO } from './command.js';
import { CONFIG_OPTION, cliLogger, loadCliConfig } from './shared/context.js';

const HELP = `Usage: auditwatch serve [--config FILE] [--listen HOST:PORT]

Serves the dashboard and the HTTP API (/api/v1) over the configured store, without collecting: for a
store filled by import, or one that collectors on other machines fill. Listens on --listen, else on
collect.listen (port 0 picks a free port); signs users in as the daemon does (collect.auth, local
accounts from "auditwatch users add"). Stops on SIGINT or SIGTERM.`;

export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseOptions(args, { ...CONFIG_OPTION, listen: { type: 'string' } }, HELP, io);
  if (!parsed) return 0;
  const config = loadCliConfig(parsed.values, io);
  let listen = config.collect.listen;
  if (parsed.values.listen !== undefined) {
    const r = listenAddress('127.0.0.1:9464').safeParse(parsed.values.listen);
    if (!r.success || !r.data) throw new AppError('usage', `--listen "${safeLine(parsed.values.listen, 60)}" must be host:port like 127.0.0.1:8080 (port 0 picks a free port).`);
    listen = r.data;
  }
  if (!listen) throw new AppError('usage', `collect.listen is false in ${config.file}; give --listen HOST:PORT to serve the dashboard.`);
  const logger = cliLogger(config, io, { cmd: 'serve' });
  const clock = systemClock;
  const store = await openConfiguredStore(config, { logger });
  const stopped = stopOnSignals();
  try {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const operations = serialized(createOperations({ config, store, clock, logger: logger.child({ part: 'api' }) }));
    const sessions = configuredSessions({ config, store, clock, logger });
    const server = await startApiServer(
      { operations, metrics: registry, sessions },
      { listen, allowedHosts: config.collect.allowedHosts, auth: config.collect.auth, storePath: config.store.path, logger: logger.child({ part: 'api' }), clock, webDir: webAssetsDir() },
    );
    io.out(`auditwatch serve: the dashboard is at ${server.url}/ (the API under ${server.url}/api/v1); stop with Ctrl-C.\n`);
    try {
      await new Promise<void>((resolve) => (stopped.signal.aborted ? resolve() : stopped.signal.addEventListener('abort', () => resolve(), { once: true })));
    } finally {
      await server.close();
    }
    return 0;
  } finally {
    stopped.dispose();
    await store.close();
  }
}
