// auditwatch init: writes a commented example config, or with --emulator URL a config for the tenants of
// a running emulator (their client secrets go to files next to the config, mode 0600, never to argv);
// with --clickhouse URL and --postgres URL its store is ClickHouse + PostgreSQL. Passwords never come
// from argv: a URL with one is refused, and the config names the environment variable or file given
// with --clickhouse-password-env/-file and --postgres-password-env/-file. The servers are reached
// before anything is written; a failure is one line naming the fix and writes nothing.

import { accessSync, constants, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { AppError, ensurePrivateDir, errorMessage, writePrivateFile } from '../core/index.js';
import { emulatorConfig, exampleConfig, serverStoreSection, type EmulatorTenantInfo, type SecretReference, type StoreServers } from '../config/index.js';
import { checkStoreServers, parseConfig } from '../service/index.js';
import { parseOptions, type CliIO } from './command.js';
import { CONFIG_OPTION, configPath } from './shared/context.js';

const HELP = `Usage: auditwatch init [--config FILE] [--emulator URL] [--clickhouse URL --postgres URL] [--force]

Writes a commented example config (default ./auditwatch.yaml) documenting every key and its default.
  --emulator URL  write a config for the tenants of the emulator at URL instead; their client secrets
                  go to auditwatch.secrets/<tenant>.secret next to the config (mode 0600)
  --clickhouse URL  keep the events in ClickHouse: its HTTP interface, http://[USER@]HOST:8123[/DATABASE]
                  (needs --postgres)
  --postgres URL  keep the state in PostgreSQL: postgres://USER@HOST:5432/DATABASE (with --clickhouse,
                  also the blob ledger and cursors; alone, beside the DuckDB file of the events)
  --clickhouse-password-env VAR | --clickhouse-password-file FILE
  --postgres-password-env VAR | --postgres-password-file FILE
                  where the password is: the config names the variable or file, never the password,
                  and a URL with a password in it is refused (secrets never go on the command line)
  --force         overwrite an existing config
The servers are reached before anything is written; a wrong URL, login or database, or a server that
is down, fails in one line naming the fix and writes nothing.`;

interface EmulatorTenantJson {
  tenantId?: unknown;
  clientId?: unknown;
  clientSecret?: unknown;
  domain?: unknown;
  displayName?: unknown;
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseOptions(
    args,
    {
      ...CONFIG_OPTION,
      emulator: { type: 'string' },
      clickhouse: { type: 'string' },
      postgres: { type: 'string' },
      'clickhouse-password-env': { type: 'string' },
      'clickhouse-password-file': { type: 'string' },
      'postgres-password-env': { type: 'string' },
      'postgres-password-file': { type: 'string' },
      force: { type: 'boolean', default: false },
    },
    HELP,
    io,
  );
  if (!parsed) return 0;
  const file = resolve(configPath(parsed.values));
  if (existsSync(file) && !parsed.values.force) {
    throw new AppError('exists', `${configPath(parsed.values)} already exists; pass --force to overwrite it, or --config to write another file.`);
  }
  const v = parsed.values;
  const servers = storeServers(
    { url: v.clickhouse, env: v['clickhouse-password-env'], file: v['clickhouse-password-file'] },
    { url: v.postgres, env: v['postgres-password-env'], file: v['postgres-password-file'] },
    dirname(file),
  );
  const store = servers ? serverStoreSection(servers) : undefined;
  if (store) await checkServers(store, file);
  mkdirSync(dirname(file), { recursive: true });
  if (typeof parsed.values.emulator === 'string') {
    const url = parsed.values.emulator.replace(/\/+$/, '');
    const tenants = await fetchEmulatorTenants(url);
    const secretsDir = join(dirname(file), 'auditwatch.secrets');
    ensurePrivateDir(secretsDir);
    const infos: EmulatorTenantInfo[] = tenants.map((t, i) => {
      const name = tenantName(t, i, tenants);
      const secretPath = join(secretsDir, `${name}.secret`);
      writePrivateFile(secretPath, `${t.clientSecret}\n`);
      return { name, tenantId: t.tenantId, clientId: t.clientId, secretFile: `./${relative(dirname(file), secretPath).split('\\').join('/')}` };
    });
    writeFileSync(file, emulatorConfig(url, infos, store), { mode: 0o644 });
    io.out(`Wrote ${configPath(parsed.values)} for ${infos.length} emulator tenant${infos.length === 1 ? '' : 's'} (${infos.map((t) => t.name).join(', ')}); secrets in ${relative(process.cwd(), secretsDir) || secretsDir}/. Next: auditwatch collect --once --config ${configPath(parsed.values)}\n`);
    return 0;
  }
  writeFileSync(file, exampleConfig(store), { mode: 0o644 });
  io.out(`Wrote ${configPath(parsed.values)}; fill in your tenant (see the README's "Connecting a real tenant"), then run auditwatch validate.\n`);
  return 0;
}

type EmulatorTenant = { tenantId: string; clientId: string; clientSecret: string; label: string };

async function fetchEmulatorTenants(url: string): Promise<EmulatorTenant[]> {
  let parsedUrl: URL;
  try {
    parsedUrl = new URL(`${url}/_emulator/tenants`);
  } catch {
    throw new AppError('usage', `--emulator "${url.slice(0, 80)}" is not a URL; give the emulator's address, like http://127.0.0.1:8080.`);
  }
  let body: unknown;
  try {
    const res = await fetch(parsedUrl, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    body = await res.json();
  } catch (err) {
    throw new AppError('emulator_unreachable', `Cannot read the tenants of the emulator at ${url} (${errorMessage(err)}); start it with "auditwatch emulator" and pass the URL it prints.`);
  }
  const list = (Array.isArray(body) ? body : (body as { tenants?: unknown } | null)?.tenants) as EmulatorTenantJson[] | undefined;
  const tenants = (Array.isArray(list) ? list : []).filter(
    (t): t is EmulatorTenantJson & { tenantId: string; clientId: string; clientSecret: string } =>
      typeof t?.tenantId === 'string' && typeof t.clientId === 'string' && typeof t.clientSecret === 'string',
  );
  if (tenants.length === 0) {
    throw new AppError('emulator_tenants', `The emulator at ${url} lists no tenants; is it an auditwatch emulator?`);
  }
  return tenants.map((t) => ({
    tenantId: t.tenantId,
    clientId: t.clientId,
    clientSecret: t.clientSecret,
    label: typeof t.domain === 'string' ? t.domain.split('.')[0]! : typeof t.displayName === 'string' ? t.displayName : '',
  }));
}

function tenantName(t: EmulatorTenant, index: number, all: EmulatorTenant[]): string {
  const base = t.label.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 48);
  const unique = base && all.filter((o) => o.label.toLowerCase() === t.label.toLowerCase()).length === 1;
  return unique ? base : `tenant-${index + 1}`;
}

interface ServerOption {
  url: string | boolean | undefined;
  env: string | boolean | undefined;
  file: string | boolean | undefined;
}

/** The store servers of --clickhouse and --postgres, each password as a reference; null when neither is given. */
function storeServers(chOpt: ServerOption, pgOpt: ServerOption, configDir: string): StoreServers | null {
  const chUrl = typeof chOpt.url === 'string' ? chOpt.url : undefined;
  const pgUrl = typeof pgOpt.url === 'string' ? pgOpt.url : undefined;
  for (const [name, o] of [['clickhouse', chOpt], ['postgres', pgOpt]] as const) {
    if (o.url === undefined && (o.env !== undefined || o.file !== undefined)) throw new AppError('usage', `--${name}-password-env/-file need --${name} URL.`);
  }
  if (chUrl === undefined && pgUrl === undefined) return null;
  if (chUrl !== undefined && pgUrl === undefined) {
    throw new AppError('usage', '--clickhouse keeps the blob ledger, cursors and state in PostgreSQL; add --postgres postgres://USER@HOST:5432/DATABASE.');
  }
  const out: StoreServers = {};
  if (chUrl !== undefined) {
    const u = serverUrl('clickhouse', chUrl, ['http:', 'https:'], 'http://USER@HOST:8123/DATABASE');
    const database = decodeURIComponent(u.pathname.replace(/^\/+|\/+$/g, '')) || 'default';
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(database)) throw new AppError('usage', '--clickhouse names a database that is not a plain name (letters, digits and _); fix the path of the URL.');
    const password = passwordRef('clickhouse', chOpt, configDir);
    out.clickhouse = { url: u.origin, database, ...(u.username ? { user: decodeURIComponent(u.username) } : {}), ...(password ? { password } : {}) };
  }
  const p = serverUrl('postgres', pgUrl!, ['postgres:', 'postgresql:'], 'postgres://USER@HOST:5432/DATABASE');
  const password = passwordRef('postgres', pgOpt, configDir);
  out.postgres = { url: p.toString(), ...(password ? { password } : {}) };
  return out;
}

/** A server URL from argv: parsed, of the right scheme, and without a password (never echoed). */
function serverUrl(name: string, text: string, schemes: string[], example: string): URL {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new AppError('usage', `--${name} is not a URL; give it like ${example}.`);
  }
  if (u.password) {
    throw new AppError('usage', `--${name} carries a password, and secrets never go on the command line; give the URL without it and the password with --${name}-password-env VAR or --${name}-password-file FILE.`);
  }
  if (!schemes.includes(u.protocol)) throw new AppError('usage', `--${name} must be a ${schemes.map((x) => `${x}//`).join(' or ')} URL like ${example}.`);
  for (const [key] of u.searchParams) {
    if (/pass|secret|token|key/i.test(key)) throw new AppError('usage', `--${name} carries a credential in its query (${key.slice(0, 40)}=); give it with --${name}-password-env VAR or --${name}-password-file FILE.`);
  }
  return u;
}

/** Where the password is, as the config names it: an environment variable, or a file (relative to the config). */
function passwordRef(name: string, o: ServerOption, configDir: string): SecretReference | undefined {
  if (o.env !== undefined && o.file !== undefined) throw new AppError('usage', `Give --${name}-password-env or --${name}-password-file, not both.`);
  if (typeof o.env === 'string') {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(o.env)) throw new AppError('usage', `--${name}-password-env takes the name of an environment variable (letters, digits, _), not its value.`);
    return { env: o.env };
  }
  if (typeof o.file === 'string') {
    const path = resolve(o.file);
    try {
      accessSync(path, constants.R_OK);
    } catch {
      throw new AppError('usage', `--${name}-password-file ${o.file.slice(0, 200)} cannot be read; write the password into it (mode 0600) or fix the path.`);
    }
    const rel = relative(configDir, path).split('\\').join('/');
    return { file: isAbsolute(rel) || rel.startsWith('..') ? path : `./${rel}` };
  }
  return undefined;
}

/** Parses the store section as the config will hold it and reaches its servers; nothing is written. */
async function checkServers(store: string, file: string): Promise<void> {
  const config = parseConfig(store, { file, readSecrets: false });
  await checkStoreServers(config);
}
