// A Store whose state lives in another engine: the events store with the PostgreSQL state port in
// place of its own. Identities stay beside the events, because compiled "same person" rules join them
// with the events in the events engine (see ports/state.ts); everything else of the state port — alerts,
// history, outbox, suppressions, detection watermarks and evidence, report runs, collector state — is
// PostgreSQL's, and a unit of work is one PostgreSQL transaction (identities are never written in one).

import type { PostgresStateStore } from './postgres/index.js';
import type { StatePort, Store } from './types.js';

export function withStateStore(events: Store, state: PostgresStateStore): Store {
  const identities = events.state.identities;
  const port: StatePort = {
    ...state.state,
    identities,
    unitOfWork: (fn) => state.state.unitOfWork((tx) => fn({ ...tx, identities })),
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
      if (prop === 'close') return close;
      if (prop === 'migrate') return migrate;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
