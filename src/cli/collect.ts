// auditwatch collect: the collection daemon (polls every collect.interval until SIGINT/SIGTERM), or with
// --once one daemon pass (collect every tenant × content type, detect, deliver alerts, due reports), then
// exit (non-zero when anything failed).

import { AppError, systemClock, stopOnSignals } from '../core/index.js';
import { parseOptions, type CliIO } from './command.js';
import { CONFIG_OPTION, cliLogger, loadCliConfig } from './shared/context.js';
import { openConfiguredStore } from '../service/index.js';
import { runDaemon } from '../service/index.js';
import { apiServing } from '../server/index.js';
import { webAssetsDir } from '../web/index.js';
import { runDaemonPass } from './shared/daemon-pass.js';

const HELP = `Usage: auditwatch collect [--config FILE] [--once]

Collects the audit records of every configured tenant into the store.
Without --once it runs as a daemon: a pass every collect.interval until SIGINT or SIGTERM (the
transaction in flight is finished first), with Prometheus /metrics and the HTTP API (/api/v1, the
other commands use it while the daemon holds the store) on collect.listen.
  --once   one pass of the daemon, then exit: collect, detect, deliver the alerts, fire the reports
           due (exit code 1 when a tenant, content type or delivery failed)`;

export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseOptions(args, { ...CONFIG_OPTION, once: { type: 'boolean', default: false } }, HELP, io);
  if (!parsed) return 0;
  const config = loadCliConfig(parsed.values, io);
  if (config.tenants.length === 0) {
    throw new AppError('no_tenants', `${config.file} lists no tenants; add one under tenants: (see "auditwatch init").`);
  }
  const logger = cliLogger(config, io, { cmd: 'collect' });
  const store = await openConfiguredStore(config, { logger });
  let signals = 0;
  const stop = stopOnSignals((name, controller) => {
    signals += 1;
    if (signals > 1) {
      io.err(`auditwatch collect: second ${name}; exiting now.\n`);
      process.exit(130);
    }
    logger.info(`Received ${name}; finishing the transaction in flight, then stopping.`);
    controller.abort();
  });
  try {
    if (parsed.values.once) {
      return await runDaemonPass({ io, config, store, logger, clock: systemClock, signal: stop.signal, label: 'collect' });
    }
    await runDaemon({ config, store, logger, clock: systemClock, signal: stop.signal, serve: apiServing(config, logger, systemClock, webAssetsDir()) });
    return 0;
  } finally {
    stop.dispose();
    await store.close();
  }
}
