// The state-port conformance suite on PostgreSQL: one real server for the file (started as nobody in a
// temp folder, see postgres/server.testing.ts), a new database per check, and a second pool on the same
// database for the races (another process's connections); and the leases suite on two pools. No skips.

import { after, before } from 'node:test';
import { Secret } from '../../core/index.js';
import { openPostgresState } from '../index.js';
import { startTestPostgres, type TestPostgres } from '../postgres/server.testing.js';
import { runLeasesConformance } from './leases.js';
import { runStateConformance } from './state.js';

let server: TestPostgres;
before(async () => {
  server = await startTestPostgres();
});
after(async () => {
  await server?.stop();
});

runStateConformance('postgres', {
  async open() {
    const connection = { host: server.host, port: server.port, user: server.user, password: new Secret(server.password), database: await server.createDatabase() };
    const store = await openPostgresState(connection);
    return {
      state: store.state,
      async another() {
        const other = await openPostgresState(connection);
        return { state: other.state, close: () => other.close() };
      },
      close: () => store.close(),
    };
  },
});

runLeasesConformance('postgres', async () => {
  const connection = { host: server.host, port: server.port, user: server.user, password: new Secret(server.password), database: await server.createDatabase() };
  const [a, b] = await Promise.all([openPostgresState(connection), openPostgresState(connection)]);
  return { a: a.leases, b: b.leases, close: async () => void (await Promise.all([a.close(), b.close()])) };
});
