// How a command reaches the operations: on the store it opens itself, or, when the collect daemon holds
// the store (DuckDB lets one process open it), through the daemon's API with the token of its endpoint
// file — saying so on stderr. Either way the command gets the same Operations and prints the same.

import { AppError, systemClock, type Logger } from '../../core/index.js';
import { createDaemonClient, endpointFile, readEndpoint } from '../../server/index.js';
import { createOperations, isStoreLocked, openConfiguredStore, type Config, type Operations, type Reply } from '../../service/index.js';
import type { CliIO } from '../command.js';
import { cliLogger } from './context.js';

export interface SessionOptions {
  /** The command's name in messages. */
  label: string;
  /** How the notice says the daemon is used: "running the command there" or "asking it". */
  notice: 'run' | 'ask';
  logger?: Logger;
}

/** Runs `fn` with the operations on the configured store, in-process or through the daemon that holds it. */
export async function withOperations<T>(config: Config, io: CliIO, o: SessionOptions, fn: (ops: Operations, remote: boolean) => Promise<T>): Promise<T> {
  const logger = o.logger ?? cliLogger(config, io, { command: o.label });
  let store;
  try {
    store = await openConfiguredStore(config, { logger });
  } catch (err) {
    if (!isStoreLocked(err)) throw err;
    const ep = readEndpoint(config.store.path);
    if (!ep) {
      throw new AppError(
        'store_locked',
        `The store ${config.store.path} is held by another process that serves no API (no ${endpointFile(config.store.path)}); stop that process, or run the daemon with collect.listen set.`,
      );
    }
    io.err(`auditwatch ${o.label}: the store is held by the collect daemon (pid ${ep.pid}); ${o.notice === 'run' ? 'running the command there' : 'asking it'}.\n`);
    return fn(createDaemonClient(ep), true);
  }
  try {
    return await fn(createOperations({ config, store, clock: systemClock, logger, stdin: io.stdin }), false);
  } finally {
    await store.close();
  }
}

/** The data of a reply, its warnings (and notices, "notice: …") printed on stderr first. */
export function answer<T>(io: CliIO, label: string, r: Reply<T>): T {
  for (const w of r.warnings) io.err(`auditwatch ${label}: ${w.startsWith('notice: ') ? w : `warning: ${w}`}\n`);
  return r.data;
}
