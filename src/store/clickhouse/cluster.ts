// The layout of the events on one ClickHouse node or on a cluster (store.clickhouse.cluster: NAME).
//
// One node: events_rows (ReplacingMergeTree, see schema.ts) and the view `events` over it FINAL.
// A cluster: on every node the local table events_rows_local, a Distributed table events_rows over the
// cluster's events_rows_local sharded by sipHash64(tenant_id), and the same view `events` over
// events_rows FINAL (the Distributed engine sends FINAL on to each shard); the rules and reports read
// events_rows filtered and de-duplicated by LIMIT 1 BY (sql/dialect.ts fromEvents). So every read — rules,
// reports, `auditwatch query`, the duplicate probe, the watermark — names the same two tables on both
// layouts, and only what changes storage (schema DDL, TTL, the enrichment mutation, dropping month
// partitions, system.parts and system.mutations) runs on each node's local table.
//
// De-duplication across shards: the sharding key is the tenant, so every row of a (tenant_id, id) goes
// to one shard, where the ReplacingMergeTree key collapses it and FINAL hides a second copy before the
// merge; no record can sit on two shards, so per-shard de-duplication is whole. (Changing the shard
// list or weights moves tenants: the probe, which reads events_rows over all shards, still keeps ingest
// from storing a record again, but two writers racing past the probe could then leave copies on two
// shards, which FINAL does not collapse.)
//
// Writes go to the Distributed table with insert_distributed_sync=1 (set on the client, connect.ts):
// the INSERT returns only when every shard has written its part, so "inserted" means stored on the
// owning shard before the blob's PostgreSQL commit (ingest.ts), and the probe sees the rows at once.
// The default asynchronous send would keep them in a queue on the node we write to, after the commit.
//
// Why not ON CLUSTER: distributed DDL needs ZooKeeper (or clickhouse-keeper on current releases); on
// 18.16 without it every ON CLUSTER statement fails ("DDL background thread is not initialized"). So the
// store runs its DDL on each node itself: the nodes are the hosts system.clusters lists for NAME, each
// reached over HTTP at the scheme and port of store.clickhouse.url with the same login and database.
// The DDL is idempotent (IF NOT EXISTS) and each node records its own schema_migrations, so a node
// added to the cluster gets its tables at the next start. This works with or without ZooKeeper/Keeper.

import type { ClickHouseClient } from '@clickhouse/client';
import { AppError, oneLine, reveal, Secret } from '../../core/index.js';
import { clickhouseError, createClickHouseClient, serverVersion, type ClickHouseConnection } from './connect.js';
import { LOCAL_ROWS } from './schema.js';

/** One node the store runs its per-node statements on. */
export interface ClickHouseNode {
  /** host:port, for messages. */
  readonly name: string;
  readonly client: ClickHouseClient;
  readonly connection: ClickHouseConnection;
  readonly version: string;
}

export interface Layout {
  /** The cluster's name, or null on one node. */
  readonly cluster: string | null;
  /** The MergeTree table on each node: events_rows, or events_rows_local on a cluster. */
  readonly local: string;
  /** Every node (on one node: the one the store is connected to). */
  readonly nodes: readonly ClickHouseNode[];
}

/** The layout of one node. */
export function singleNode(client: ClickHouseClient, connection: ClickHouseConnection, version: string): Layout {
  return { cluster: null, local: 'events_rows', nodes: [{ name: hostOf(connection), client, connection, version }] };
}

function hostOf(c: ClickHouseConnection): string {
  try {
    const u = new URL(reveal(c.url));
    return u.host;
  } catch {
    return 'store.clickhouse.url';
  }
}

/**
 * The nodes of `cluster` as the server we are connected to knows them (system.clusters), each with its
 * own client, its version read (which checks the login and the database there too). Fails in one line
 * naming the fix when the cluster is unknown or a node cannot be used.
 */
export async function clusterLayout(client: ClickHouseClient, connection: ClickHouseConnection, cluster: string): Promise<Layout> {
  let hosts: string[];
  let known: string[];
  try {
    const r = await client.query({ query: 'SELECT cluster, host_name FROM system.clusters ORDER BY shard_num, replica_num', format: 'JSONEachRow' });
    const rows = await r.json<{ cluster: string; host_name: string }>();
    hosts = [...new Set(rows.filter((x) => x.cluster === cluster).map((x) => x.host_name))];
    known = [...new Set(rows.map((x) => x.cluster))];
  } catch (err) {
    throw clickhouseError(err, connection, 'reading system.clusters');
  }
  if (hosts.length === 0) {
    const names = known.length > 0 ? `it has ${oneLine(known.slice(0, 8).join(', '), 200)}` : 'it has none';
    throw new AppError('clickhouse_cluster', `ClickHouse at ${hostOf(connection)} has no cluster "${cluster}" in its <remote_servers> (${names}); fix store.clickhouse.cluster or the server's remote_servers.`);
  }
  const base = new URL(reveal(connection.url));
  const nodes: ClickHouseNode[] = [];
  const clients: ClickHouseClient[] = [];
  try {
    for (const host of hosts) {
      let u: URL;
      try {
        // An IPv6 address goes in brackets; the login of store.clickhouse.url, if it has one, goes along.
        u = new URL(`${base.protocol}//${host.includes(':') ? `[${host}]` : host}${base.port ? `:${base.port}` : ''}${base.pathname}`);
        u.username = base.username;
        u.password = base.password;
      } catch {
        throw new AppError('clickhouse_cluster', `Cluster ${cluster} names the host "${oneLine(host, 100)}" in system.clusters, which is not a host auditwatch can reach over HTTP; fix the server's remote_servers.`);
      }
      // A URL holding credentials stays a Secret: the node's messages must not print it either.
      const c: ClickHouseConnection = { ...connection, url: connection.url instanceof Secret ? new Secret(u.toString()) : u.toString() };
      const nodeClient = createClickHouseClient(c);
      clients.push(nodeClient);
      let version: string;
      try {
        version = await serverVersion(nodeClient, c);
      } catch (err) {
        const e = err instanceof AppError ? err : clickhouseError(err, c, 'connecting');
        throw new AppError(e.code, `Node ${u.host} of cluster ${cluster} (from system.clusters, at the scheme and port of store.clickhouse.url): ${e.message}`, { cause: err, retryable: e.retryable });
      }
      nodes.push({ name: u.host, client: nodeClient, connection: c, version });
    }
  } catch (err) {
    await Promise.all(clients.map((x) => x.close().catch(() => undefined)));
    throw err;
  }
  return { cluster, local: LOCAL_ROWS, nodes };
}

/** The oldest version among the nodes: the store picks its forms by it. */
export function oldestVersion(layout: Layout): string {
  const key = (v: string) => (/^(\d+)\.(\d+)(?:\.(\d+))?/.exec(v) ?? []).slice(1, 4).map((x) => Number(x ?? 0));
  return layout.nodes.map((n) => n.version).reduce((a, b) => {
    const [x, y] = [key(a), key(b)];
    for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0) ? a : b;
    return a;
  });
}
