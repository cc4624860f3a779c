// Test harness (not shipped): the ClickHouse + PostgreSQL store a test file runs against, one node or
// a cluster of two shards (server.testing.ts starts the servers), so the conformance suites and the
// exactly-once test run unchanged on both layouts. `config()` gives a store config over new, empty
// databases (on a cluster one database name on every node); `run` inspects the servers directly.

import { Secret } from '../../core/index.js';
import type { StoreEngineConfig } from '../index.js';
import { startTestPostgres, type TestPostgres } from '../postgres/server.testing.js';
import { startTestClickHouse, startTestClickHouseCluster, type TestClickHouse, type TestClickHouseCluster } from './server.testing.js';

export type ClickHouseConfig = Extract<StoreEngineConfig, { engine: 'clickhouse' }>;

export interface ClickHouseTarget {
  /** For test names: "clickhouse + postgres" or "clickhouse 2 shards + postgres". */
  readonly label: string;
  /** 1, or the number of shards. */
  readonly shards: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** A config over a new ClickHouse database (on every node) and a new PostgreSQL database. */
  config(): Promise<ClickHouseConfig>;
  /** One statement on every node (shard 1 first), as the test user; the answers' bodies. */
  runOnEach(statement: string, database?: string): Promise<string[]>;
  /** The server processes, shard 1 first (the bench reads their CPU time). */
  readonly pids: readonly (number | undefined)[];
  /** Kills the server of shard `n` (1 first) at once, as a crash would; the last thing a file does with it. */
  killShard(n: number): void;
  readonly clickhouse: { readonly url: string; readonly httpPort: number; readonly user: string; readonly password: string; readonly version: string };
  readonly postgres: TestPostgres;
}

/** The target `shards` (1: a lone server; 2 or more: a cluster, named aw_cluster). */
export function clickhouseTarget(shards = 1): ClickHouseTarget {
  let single: TestClickHouse | undefined;
  let cluster: TestClickHouseCluster | undefined;
  let pg: TestPostgres | undefined;
  const started = () => {
    const ch = single ?? cluster?.nodes[0];
    if (!ch || !pg) throw new Error('start() the ClickHouse target first');
    return { ch, pg };
  };
  return {
    label: shards === 1 ? 'clickhouse + postgres' : `clickhouse ${shards} shards + postgres`,
    shards,
    async start() {
      const [ch, p] = await Promise.allSettled([shards === 1 ? startTestClickHouse() : startTestClickHouseCluster(shards), startTestPostgres()]);
      if (ch.status === 'fulfilled') {
        if ('nodes' in ch.value) cluster = ch.value;
        else single = ch.value;
      }
      if (p.status === 'fulfilled') pg = p.value;
      const failed = [ch, p].find((x): x is PromiseRejectedResult => x.status === 'rejected');
      if (failed) {
        await this.stop();
        throw failed.reason;
      }
    },
    async stop() {
      await Promise.all([single?.stop(), cluster?.stop(), pg?.stop()]);
      single = cluster = pg = undefined;
    },
    async config() {
      const { ch, pg: p } = started();
      const [database, stateDb] = await Promise.all([cluster ? cluster.createDatabase() : ch.createDatabase(), p.createDatabase()]);
      return {
        engine: 'clickhouse',
        clickhouse: { url: ch.url, database, user: ch.user, password: new Secret(ch.password), ...(cluster ? { cluster: cluster.name } : {}) },
        stateStore: { engine: 'postgres', connection: { host: p.host, port: p.port, user: p.user, password: new Secret(p.password), database: stateDb } },
      };
    },
    runOnEach(statement, database) {
      const { ch } = started();
      return cluster ? cluster.runOnEach(statement, database) : ch.run(statement, database).then((r) => [r]);
    },
    get pids() {
      return cluster ? cluster.nodes.map((n) => n.pid) : [started().ch.pid];
    },
    killShard(n) {
      const node = cluster ? cluster.nodes[n - 1] : n === 1 ? single : undefined;
      if (node?.pid === undefined) throw new Error(`no shard ${n}`);
      process.kill(node.pid, 'SIGKILL');
    },
    get clickhouse() {
      return started().ch;
    },
    get postgres() {
      return started().pg;
    },
  };
}
