// auditwatch notify test DESTINATION: sends a sample alert through one configured destination now,
// through the same shared stages as the outbox (time limit, secret scrubbing), and prints the outcome.

import { AppError, createLogger, safeLine, systemClock } from '../core/index.js';
import { attempt, createNotifier, idempotencyKey, sampleAlert } from '../alerts/index.js';
import { parseOptions, type CliIO } from './command.js';
import { CONFIG_OPTION, loadCliConfig } from './shared/context.js';

const HELP = `Usage: auditwatch notify test DESTINATION [--config FILE]

Sends a sample alert (severity informational, rule auditwatch-test) to the destination named in the
config's alerts.destinations, now, and prints whether it was delivered. Exit code 0 when delivered.`;

export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseOptions(args, { ...CONFIG_OPTION }, HELP, io, true);
  if (!parsed) return 0;
  const [action, name] = parsed.positionals;
  if (action !== 'test' || !name) throw new AppError('usage', 'Write "auditwatch notify test DESTINATION"; see --help.');
  const config = loadCliConfig(parsed.values, io);
  const dest = config.alerts.destinations.find((d) => d.name === name);
  if (!dest) {
    const names = config.alerts.destinations.map((d) => d.name);
    throw new AppError('usage', `No destination is named "${safeLine(name, 64)}" in ${config.file}; use one of ${names.join(', ') || '(none: add alerts.destinations)'}.`);
  }
  const logger = createLogger({ level: config.log.level, base: { command: 'notify' } });
  const notifier = createNotifier(dest, { clock: systemClock, logger });
  const alert = sampleAlert(systemClock.now());
  try {
    const out = await attempt(notifier, alert, idempotencyKey(alert.id, name, 1), notifier.delivery.timeout, systemClock);
    if (out.ok) {
      io.out(`${name} (${dest.type}): delivered the sample alert ${alert.id}\n`);
      return 0;
    }
    io.out(`${name} (${dest.type}): not delivered (${out.retryable ? 'retryable: the outbox would try again' : 'permanent: fix the destination'}): ${out.error.message}\n`);
    return 1;
  } finally {
    await notifier.close();
  }
}
