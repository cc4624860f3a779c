// auditwatch backfill --since 7d: one pass that lists from a time in the past (at most 7 days, the
// API's limit), with a progress bar on stderr (records/s, blobs, ETA; plain lines when not a TTY).

import { AppError, DAY, systemClock, stopOnSignals } from '../core/index.js';
import { durationFlag } from '../config/index.js';
import { parseOptions, type CliIO } from './command.js';
import { CONFIG_OPTION, cliLogger, loadCliConfig } from './shared/context.js';
import { openConfiguredStore } from '../service/index.js';
import { runPass } from './shared/pass.js';

const HELP = `Usage: auditwatch backfill --since DURATION [--config FILE] [--no-progress]

Collects everything the API still holds from DURATION ago (at most 7d; older history comes from a
Purview export with "auditwatch import"), whatever the cursors say. Records already stored are not
stored twice. Stop the collect daemon first: only one process can open the store.
  --since DURATION  how far back, like 7d, 36h (required)
  --no-progress     no progress bar on stderr`;

export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseOptions(args, { ...CONFIG_OPTION, since: { type: 'string' }, 'no-progress': { type: 'boolean', default: false } }, HELP, io);
  if (!parsed) return 0;
  if (typeof parsed.values.since !== 'string') throw new AppError('usage', '--since is required, like --since 7d; see --help.');
  const back = durationFlag(parsed.values.since, '--since');
  if (back > 7 * DAY) {
    throw new AppError('usage', `--since ${parsed.values.since} is beyond the API's 7 days; use --since 7d, and "auditwatch import" a Purview export for older history.`);
  }
  const config = loadCliConfig(parsed.values, io);
  if (config.tenants.length === 0) {
    throw new AppError('no_tenants', `${config.file} lists no tenants; add one under tenants: (see "auditwatch init").`);
  }
  const logger = cliLogger(config, io, { cmd: 'backfill' });
  const store = await openConfiguredStore(config, { logger });
  const stop = stopOnSignals();
  try {
    return await runPass({
      io,
      config,
      store,
      logger,
      clock: systemClock,
      signal: stop.signal,
      label: 'backfill',
      since: systemClock.now() - back,
      progress: !parsed.values['no-progress'],
    });
  } finally {
    stop.dispose();
    await store.close();
  }
}
