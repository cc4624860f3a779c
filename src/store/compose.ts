// A Store whose state lives in another engine: the events store with the PostgreSQL state port in
// place of its own. Identities stay beside the events, because compiled "same person" rules join them
// with the events in the events engine (see ports/state.ts); everything else of the state port — alerts,
// history, outbox, suppressions, detection watermarks and evidence, report runs, collector state — is
// PostgreSQL's, and a unit of work is one PostgreSQL transaction (identities are never written in one).

import { COPY_TABLE_DEFS } from './copy-tables.js';
import type { PostgresStateStore } from './postgres/index.js';
import type { CopyPort, CopyTable, StatePort, Store } from './types.js';

export function withStateStore(events: Store, state: PostgresStateStore): Store {
  const identities = events.state.identities;
  const port: StatePort = {
    ...state.state,
    identities,
    unitOfWork: (fn) => state.state.unitOfWork((tx) => fn({ ...tx, identities })),
  };
  // A copy's tables go where the ports keep them; its progress is state.
  const side = (table: CopyTable) => (COPY_TABLE_DEFS[table].owner === 'state' ? state.copy : events.copy);
  const copy: CopyPort = {
    ...events.copy,
    readTable: (table, after, limit) => side(table).readTable(table, after, limit),
    writeTable: (table, rows) => side(table).writeTable(table, rows),
    countTable: (table) => side(table).countTable(table),
    loadProgress: () => state.copy.loadProgress(),
    saveProgress: (p) => state.copy.saveProgress(p),
    resetProgress: () => state.copy.resetProgress(),
  };
  const close = async (): Promise<void> => {
    try {
      await state.close();
    } finally {
      await events.close();
    }
  };
  const migrate = async (): Promise<number[]> => {
    await state.migrate();
    return events.migrate();
  };
  return new Proxy(events, {
    get: (target, prop) => {
      if (prop === 'state') return port;
      if (prop === 'copy') return copy;
      if (prop === 'close') return close;
      if (prop === 'migrate') return migrate;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
