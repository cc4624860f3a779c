// auditwatch init: writes a commented example config, or with --emulator URL a config for the tenants of
// a running emulator (their client secrets go to files next to the config, mode 0600, never to argv).

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { AppError, ensurePrivateDir, errorMessage, writePrivateFile } from '../core/index.js';
import { emulatorConfig, exampleConfig, type EmulatorTenantInfo } from '../config/index.js';
import { parseOptions } from './command.js';
import { CONFIG_OPTION, configPath } from './shared/context.js';
import { io } from './shared/io.js';

const HELP = `Usage: auditwatch init [--config FILE] [--emulator URL] [--force]

Writes a commented example config (default ./auditwatch.yaml) documenting every key and its default.
  --emulator URL  write a config for the tenants of the emulator at URL instead; their client secrets
                  go to auditwatch.secrets/<tenant>.secret next to the config (mode 0600)
  --force         overwrite an existing config`;

interface EmulatorTenantJson {
  tenantId?: unknown;
  clientId?: unknown;
  clientSecret?: unknown;
  domain?: unknown;
  displayName?: unknown;
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseOptions(
    args,
    { ...CONFIG_OPTION, emulator: { type: 'string' }, force: { type: 'boolean', default: false } },
    HELP,
  );
  if (!parsed) return 0;
  const file = resolve(configPath(parsed.values));
  if (existsSync(file) && !parsed.values.force) {
    throw new AppError('exists', `${configPath(parsed.values)} already exists; pass --force to overwrite it, or --config to write another file.`);
  }
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
    writeFileSync(file, emulatorConfig(url, infos), { mode: 0o644 });
    io.out(`Wrote ${configPath(parsed.values)} for ${infos.length} emulator tenant${infos.length === 1 ? '' : 's'} (${infos.map((t) => t.name).join(', ')}); secrets in ${relative(process.cwd(), secretsDir) || secretsDir}/. Next: auditwatch collect --once --config ${configPath(parsed.values)}\n`);
    return 0;
  }
  writeFileSync(file, exampleConfig(), { mode: 0o644 });
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
