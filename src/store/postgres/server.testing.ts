// Test harness (not shipped): a real PostgreSQL server for one test file. initdb and pg_ctl from
// Debian's postgresql package (/usr/lib/postgresql/*/bin, or AUDITWATCH_PG_BIN) run as the unprivileged
// user `nobody` when the tests run as root, in a temporary folder that holds the data, the log and the
// unix socket; the server listens on a free loopback port with fsync off. Local connections are
// trusted; TCP asks for a password (scram-sha-256), so the tests exercise the password path for real.
// A server that cannot start fails the test file with the reason and the log's tail; nothing is skipped.

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface TestPostgres {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** The postmaster's process id (the bench adds up its CPU time and its backends'). */
  readonly pid: number | undefined;
  /** Creates a new, empty database and returns its name. */
  createDatabase(): Promise<string>;
  /** Stops the server and removes its folder. */
  stop(): Promise<void>;
}

/** The folder with initdb and pg_ctl: AUDITWATCH_PG_BIN, else the newest /usr/lib/postgresql/N/bin. */
export function postgresBinDir(): string {
  const fromEnv = process.env['AUDITWATCH_PG_BIN'];
  const candidates = fromEnv
    ? [fromEnv]
    : existsSync('/usr/lib/postgresql')
      ? readdirSync('/usr/lib/postgresql')
          .filter((v) => /^\d+$/.test(v))
          .sort((a, b) => Number(b) - Number(a))
          .map((v) => `/usr/lib/postgresql/${v}/bin`)
      : [];
  const found = candidates.find((d) => existsSync(join(d, 'initdb')) && existsSync(join(d, 'pg_ctl')));
  if (!found) {
    throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin; run scripts/system-deps.sh (installs Debian\'s postgresql) or set AUDITWATCH_PG_BIN.');
  }
  return found;
}

function nobody(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('nobody:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new Error('The tests run as root but there is no user "nobody" to run PostgreSQL as (it refuses root); add the user or run the tests as another user.');
  return { uid: Number(uid), gid: Number(gid) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const tail = (path: string): string => {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').slice(-5).join(' | ');
  } catch {
    return '(no log)';
  }
};

/** Starts a PostgreSQL server as described above (about 2 s). */
export async function startTestPostgres(): Promise<TestPostgres> {
  const bin = postgresBinDir();
  const as = nobody();
  const dir = await mkdtemp(join(tmpdir(), 'auditwatch-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const user = 'aw';
  const password = randomBytes(12).toString('base64url');
  const opts = { cwd: dir, ...(as ?? {}), env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C' } };
  const stopServer = async () => {
    await run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], opts).catch(() => undefined);
  };
  try {
    await writeFile(join(dir, 'pwfile'), `${password}\n`, { mode: 0o600 });
    if (as) {
      await chown(dir, as.uid, as.gid);
      await chown(join(dir, 'pwfile'), as.uid, as.gid);
    }
    await run(join(bin, 'initdb'), ['-D', data, '-U', user, '--auth-local=trust', '--auth-host=scram-sha-256', `--pwfile=${join(dir, 'pwfile')}`, '--no-sync', '-E', 'UTF8', '--locale=C'], opts).catch((err: { stderr?: string }) => {
      throw new Error(`initdb failed: ${String(err.stderr ?? err).trim().split('\n').slice(-3).join(' | ')}`);
    });
    let lastError = '';
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const settings = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60`;
      try {
        await run(join(bin, 'pg_ctl'), ['-D', data, '-l', log, '-w', '-t', '30', '-o', settings, 'start'], opts);
      } catch {
        lastError = tail(log);
        continue;
      }
      const pid = Number((await readFile(join(data, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n', 1)[0]);
      return server(dir, port, user, password, Number.isSafeInteger(pid) && pid > 0 ? pid : undefined, stopServer);
    }
    throw new Error(`PostgreSQL did not start: ${lastError}`);
  } catch (err) {
    await stopServer();
    await rm(dir, { recursive: true, force: true });
    throw new Error(`Cannot start the test PostgreSQL server (${bin}): ${err instanceof Error ? err.message : String(err)}`);
  }
}

function server(dir: string, port: number, user: string, password: string, pid: number | undefined, stopServer: () => Promise<void>): TestPostgres {
  let n = 0;
  const admin = new pg.Pool({ host: '127.0.0.1', port, user, password, database: 'postgres', max: 2 });
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    pid,
    async createDatabase() {
      const name = `aw_test_${++n}`;
      await admin.query(`CREATE DATABASE ${name}`);
      return name;
    },
    async stop() {
      await admin.end().catch(() => undefined);
      await stopServer();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
