// Test harness (not shipped): a real ClickHouse server for one test file. Debian's clickhouse-server
// (/usr/sbin/clickhouse-server, or AUDITWATCH_CLICKHOUSE_BIN) runs as the unprivileged user `nobody`
// when the tests run as root, in a temporary folder that holds its data, its logs and a minimal
// config (HTTP and native ports on free loopback ports, one user `aw` with a random password, parts
// compressed with ZSTD as the README advises for servers without per-column codecs). `stop()` kills it
// and removes the folder. Only a missing binary makes the tests skip (clickhouseSkipReason); a server
// that is there but cannot start fails the test file with the reason and the log's tail.
//
// startTestClickHouseCluster() starts N such servers as the shards of one cluster: every server's
// config names all of them in one <remote_servers> entry (one replica a shard, the `aw` login between
// them). Shard i listens on 127.0.0.(i+1), all on one HTTP port, each on its own native port: the store
// reaches every node at the host system.clusters names and the port of store.clickhouse.url (see
// clickhouse/cluster.ts), and ClickHouse tells its own shard from the others by address and native port.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestClickHouse {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly httpPort: number;
  readonly user: string;
  readonly password: string;
  /** The server's version, e.g. "18.16.1". */
  readonly version: string;
  /** The server process (the bench reads its CPU time). */
  readonly pid: number | undefined;
  /** Creates a new, empty database and returns its name. */
  createDatabase(): Promise<string>;
  /** Creates the database `name` unless it exists. */
  createDatabaseNamed(name: string): Promise<void>;
  /** Runs one statement as `aw` and returns the response body (tests inspect the server with it). */
  run(statement: string, database?: string): Promise<string>;
  /** Stops the server and removes its folder. */
  stop(): Promise<void>;
}

/** The server binary: AUDITWATCH_CLICKHOUSE_BIN, else /usr/sbin/clickhouse-server, else /usr/bin/clickhouse-server. */
export function clickhouseBinary(): string | null {
  const fromEnv = process.env['AUDITWATCH_CLICKHOUSE_BIN'];
  const candidates = fromEnv ? [fromEnv] : ['/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server'];
  return candidates.find((p) => existsSync(p)) ?? null;
}

/** Why ClickHouse tests cannot run here (no binary), or undefined when they can and must. */
export function clickhouseSkipReason(): string | undefined {
  return clickhouseBinary() === null ? 'clickhouse-server is not installed: run scripts/system-deps.sh (installs Debian\'s clickhouse-server) or set AUDITWATCH_CLICKHOUSE_BIN' : undefined;
}

function nobody(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('nobody:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new Error('The tests run as root but there is no user "nobody" to run ClickHouse as; add the user or run the tests as another user.');
  return { uid: Number(uid), gid: Number(gid) };
}

export function freePort(host = '127.0.0.1', port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, host, () => {
      const address = s.address();
      s.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A port free on every one of `hosts`. */
async function portFreeOn(hosts: readonly string[]): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await freePort(hosts[0]);
    const free = await Promise.all(hosts.slice(1).map((h) => freePort(h, port).then(() => true, () => false)));
    if (free.every(Boolean)) return port;
  }
  throw new Error(`no port free on all of ${hosts.join(', ')}`);
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function serverConfig(dir: string, host: string, httpPort: number, tcpPort: number, extra: string): string {
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${dir}/log/server.log</log><errorlog>${dir}/log/error.log</errorlog><size>10M</size><count>1</count><console>0</console></logger>
  <listen_host>${host}</listen_host>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size>
  <max_concurrent_queries>50</max_concurrent_queries>
  <compression><case><method>zstd</method></case></compression>
${extra}</yandex>
`;
}

function usersConfig(user: string, password: string): string {
  return `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users>
    <${user}>
      <password>${xml(password)}</password>
      <networks><ip>127.0.0.0/8</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </${user}>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`;
}

const tail = (path: string): string => {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').slice(-5).join(' | ');
  } catch {
    return '(no log)';
  }
};

async function post(url: string, user: string, password: string, statement: string, database?: string): Promise<string> {
  const u = new URL(url);
  if (database) u.searchParams.set('database', database);
  const res = await fetch(u, { method: 'POST', body: statement, headers: { 'X-ClickHouse-User': user, 'X-ClickHouse-Key': password } });
  const text = await res.text();
  if (!res.ok) throw new Error(`ClickHouse answered ${res.status}: ${text.trim().slice(0, 300)}`);
  return text;
}

/** How to start one server; the defaults make a lone server on 127.0.0.1 with free ports. */
export interface TestClickHouseOptions {
  host?: string;
  /** Fixed ports (a cluster's, chosen beforehand); a fixed port is not retried. */
  httpPort?: number;
  tcpPort?: number;
  password?: string;
  /** More server config (e.g. <remote_servers>), inside <yandex>. */
  extraConfig?: string;
}

/** Starts a ClickHouse server as described above (a few seconds). */
export async function startTestClickHouse(options: TestClickHouseOptions = {}): Promise<TestClickHouse> {
  const bin = clickhouseBinary();
  if (!bin) throw new Error(clickhouseSkipReason());
  const as = nobody();
  const dir = await mkdtemp(join(tmpdir(), 'auditwatch-ch-'));
  const user = 'aw';
  const host = options.host ?? '127.0.0.1';
  const password = options.password ?? randomBytes(12).toString('base64url');
  const fixed = options.httpPort !== undefined || options.tcpPort !== undefined;
  let child: ChildProcess | null = null;
  const kill = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => c.kill('SIGKILL'), 5_000);
      c.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      c.kill('SIGTERM');
    });
  };
  try {
    for (const sub of ['data', 'tmp', 'log', 'user_files', 'format_schemas']) await mkdir(join(dir, sub));
    let lastError = '';
    for (let attempt = 0; attempt < (fixed ? 1 : 3); attempt++) {
      const [httpPort, tcpPort] = [options.httpPort ?? await freePort(host), options.tcpPort ?? await freePort(host)];
      await writeFile(join(dir, 'config.xml'), serverConfig(dir, host, httpPort, tcpPort, options.extraConfig ?? ''), { mode: 0o600 });
      await writeFile(join(dir, 'users.xml'), usersConfig(user, password), { mode: 0o600 });
      if (as) for (const p of ['', 'data', 'tmp', 'log', 'user_files', 'format_schemas', 'config.xml', 'users.xml']) await chown(join(dir, p), as.uid, as.gid);
      const c = spawn(bin, [`--config-file=${join(dir, 'config.xml')}`], { cwd: dir, stdio: 'ignore', ...(as ?? {}), env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LANG: 'C', TZ: 'UTC' } });
      child = c;
      const url = `http://${host}:${httpPort}`;
      const started = Date.now();
      let version: string | null = null;
      while (Date.now() - started < 30_000 && c.exitCode === null && c.signalCode === null) {
        try {
          version = (await post(url, user, password, 'SELECT version()')).trim();
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      if (version !== null) return server(dir, url, httpPort, user, password, version, c.pid, kill);
      lastError = `${tail(join(dir, 'log', 'error.log'))}`;
      await kill();
    }
    throw new Error(`ClickHouse did not start: ${lastError}`);
  } catch (err) {
    await kill();
    await rm(dir, { recursive: true, force: true });
    throw new Error(`Cannot start the test ClickHouse server (${bin}): ${err instanceof Error ? err.message : String(err)}`);
  }
}

function server(dir: string, url: string, httpPort: number, user: string, password: string, version: string, pid: number | undefined, kill: () => Promise<void>): TestClickHouse {
  let n = 0;
  return {
    url,
    httpPort,
    user,
    password,
    version,
    pid,
    async createDatabase() {
      const name = `aw_test_${++n}`;
      await post(url, user, password, `CREATE DATABASE ${name}`);
      return name;
    },
    async createDatabaseNamed(name: string) {
      await post(url, user, password, `CREATE DATABASE IF NOT EXISTS ${name}`);
    },
    run: (statement, database) => post(url, user, password, statement, database),
    async stop() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface TestClickHouseCluster {
  /** The <remote_servers> name of the cluster. */
  readonly name: string;
  /** One server a shard, shard 1 first; the store connects to the first. */
  readonly nodes: readonly TestClickHouse[];
  readonly url: string;
  readonly user: string;
  readonly password: string;
  readonly version: string;
  /** Creates a new, empty database of one name on every node and returns the name. */
  createDatabase(): Promise<string>;
  /** Runs one statement on every node and returns their answers, shard 1 first. */
  runOnEach(statement: string, database?: string): Promise<string[]>;
  stop(): Promise<void>;
}

/** Starts `shards` servers as the shards of the cluster `name` (see the header); new ports up to 3 times. */
export async function startTestClickHouseCluster(shards = 2, name = 'aw_cluster'): Promise<TestClickHouseCluster> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startCluster(shards, name);
    } catch (err) {
      lastError = err; // a port taken between choosing it and the server binding it
    }
  }
  throw lastError;
}

async function startCluster(shards: number, name: string): Promise<TestClickHouseCluster> {
  const hosts = Array.from({ length: shards }, (_, i) => `127.0.0.${i + 1}`);
  const password = randomBytes(12).toString('base64url');
  const httpPort = await portFreeOn(hosts);
  const tcpPorts: number[] = [];
  for (const h of hosts) {
    let p = await freePort(h);
    while (p === httpPort || tcpPorts.includes(p)) p = await freePort(h);
    tcpPorts.push(p);
  }
  const replicas = hosts.map((h, i) => `      <shard><replica><host>${h}</host><port>${tcpPorts[i]}</port><user>aw</user><password>${xml(password)}</password></replica></shard>`);
  const remote = `  <remote_servers>\n    <${name}>\n${replicas.join('\n')}\n    </${name}>\n  </remote_servers>\n`;
  const started = await Promise.allSettled(hosts.map((host, i) => startTestClickHouse({ host, httpPort, tcpPort: tcpPorts[i]!, password, extraConfig: remote })));
  const nodes = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(nodes.map((n) => n.stop()));
    throw failed.reason;
  }
  const first = nodes[0]!;
  let n = 0;
  return {
    name,
    nodes,
    url: first.url,
    user: first.user,
    password,
    version: first.version,
    async createDatabase() {
      const db = `aw_cluster_${++n}`;
      await Promise.all(nodes.map((node) => node.createDatabaseNamed(db)));
      return db;
    },
    runOnEach: (statement, database) => Promise.all(nodes.map((node) => node.run(statement, database))),
    async stop() {
      await Promise.all(nodes.map((node) => node.stop()));
    },
  };
}
