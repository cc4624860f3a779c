// The config files `auditwatch init` writes: a commented example documenting every key and its default,
// and a config for the tenants of a running emulator. The text is YAML that loadConfig accepts.

const HEADER = `# auditwatch configuration. Check it with: auditwatch validate --config <this file>
# Relative paths start at this file's folder. Secrets are never written here: give them as
# { env: VARIABLE } (an environment variable) or { file: PATH } (a file readable only by you, mode 0600).
`;

const STORE_SETTINGS = `store:
  engine: duckdb                   # duckdb: the embedded store (default); clickhouse: events in ClickHouse (store.clickhouse), needs state: postgres
  path: ./data/auditwatch.duckdb   # the DuckDB file (default ./data/auditwatch.duckdb)
  retention: 365d                  # delete events older than this, by event time; or "forever" (default 365d)
  # memoryLimit: 512MB             # DuckDB memory limit (default 1GB; larger work spills to disk)
  # threads: 2                     # DuckDB worker threads (default: one per core)
  # state:                         # keep alerts, outbox, detection state, report runs in PostgreSQL (default duckdb)
  #   url: postgres://auditwatch@db.example.com:5432/auditwatch   # no password in it (or the whole URL as { env } / { file })
  #   password: { env: AUDITWATCH_POSTGRES_PASSWORD }   # or { file: ./auditwatch.secrets/postgres.secret }
  #   ssl: true                    # TLS, server certificate checked (default false)
  # clickhouse:                    # with engine: clickhouse (one node; ClickHouse 18.16 or later)
  #   url: http://clickhouse.example.com:8123          # the HTTP interface; one with user:pass@ only as { env } / { file }
  #   database: auditwatch         # must exist (default default)
  #   user: auditwatch
  #   password: { env: AUDITWATCH_CLICKHOUSE_PASSWORD } # or { file: ./auditwatch.secrets/clickhouse.secret }
`;

const SETTINGS = `
collect:
  interval: 5m                     # time between two polls of the daemon (default 5m)
  overlap: 24h                     # window re-listed on every poll to catch late blobs (default 24h, at most 7d)
  initialLookback: 7d               # how far back the first pass goes, at most 7d (default 7d)
  maxConcurrency: 4                # blobs fetched at once per tenant (default 4)
  requestsPerMinute: 2000          # most requests a minute per tenant; the budget halves on AF429 and grows back (default 2000, Microsoft's quota)
  # startRequestsPerMinute: 1000   # where each tenant's budget starts (default: requestsPerMinute)
  listen: 127.0.0.1:9464           # /metrics, /healthz and the HTTP API (/api/v1); false turns it off (default 127.0.0.1:9464)
  # allowedHosts: [auditwatch.example.net]   # Host names besides the listen address and localhost (a reverse proxy's)
  # auth:                          # sign-in to the API and dashboard (README "Sign-in and roles")
  #   sessionIdle: 30m             # a session ends after this long without a request (default 30m)
  #   sessionLifetime: 12h         # and this long after sign-in (default 12h)
  #   secureCookies: auto          # Secure cookie: auto (TLS or an https redirectUrl), true, false (default auto)
  #   login: { maxFailures: 5, maxFailuresPerIp: 20, maxFailuresPerUser: 50, window: 15m }   # failed sign-ins before 429 (defaults)
  #   oidc:                        # single sign-on with OpenID Connect (default: none, local accounts only)
  #     issuer: https://login.microsoftonline.com/YOUR-TENANT-ID/v2.0
  #     clientId: YOUR-APP-CLIENT-ID
  #     clientSecret: { env: AUDITWATCH_OIDC_CLIENT_SECRET }   # or { file: ./auditwatch.secrets/oidc.secret }
  #     redirectUrl: https://auditwatch.example.net/auth/oidc/callback
  #     scopes: [openid, profile, email]                      # (default)
  #     label: Microsoft Entra ID                             # the sign-in button (default)
  #     usernameClaim: preferred_username                     # (default)
  #     roleClaim: roles                                      # (default)
  #     roleMap: { AuditWatch.Admin: admin, AuditWatch.Analyst: analyst, AuditWatch.Viewer: viewer }
  #     defaultRole: viewer                                   # default: none (a user without a mapped role is refused)
  #     allowedTenants: []                                    # tid values (default: the issuer's own)

log:
  level: info                      # debug, info, warn or error (default info)
`;

export interface StoreServers {
  /** ClickHouse's HTTP interface (no login in it), its database and user. */
  clickhouse?: { url: string; database: string; user?: string; password?: SecretReference };
  /** A postgres:// URL without a password. */
  postgres?: { url: string; password?: SecretReference };
}

export type SecretReference = { env: string } | { file: string };

const ref = (r: SecretReference): string => ('env' in r ? `{ env: ${r.env} }` : `{ file: ${JSON.stringify(r.file)} }`);

/** The store section for ClickHouse (events) and PostgreSQL (state), or DuckDB with its state in PostgreSQL. */
export function serverStoreSection(s: StoreServers): string {
  const lines = ['store:'];
  if (s.clickhouse) lines.push('  engine: clickhouse               # the events in ClickHouse; the ledger, cursors and state in PostgreSQL');
  lines.push(`  path: ./data/auditwatch.duckdb   # ${s.clickhouse ? "with clickhouse: where the daemon's endpoint file lives" : 'the DuckDB file of the events'}`);
  lines.push('  retention: 365d                  # delete events older than this, by event time; or "forever"');
  if (s.clickhouse) {
    const c = s.clickhouse;
    lines.push('  clickhouse:');
    lines.push(`    url: ${JSON.stringify(c.url)}`);
    lines.push(`    database: ${c.database}`);
    if (c.user !== undefined) lines.push(`    user: ${JSON.stringify(c.user)}`);
    if (c.password) lines.push(`    password: ${ref(c.password)}`);
  }
  if (s.postgres) {
    lines.push('  state:                           # alerts, outbox, cursors, ledger, detection state in PostgreSQL');
    lines.push(`    url: ${JSON.stringify(s.postgres.url)}`);
    if (s.postgres.password) lines.push(`    password: ${ref(s.postgres.password)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A commented example config for a real tenant, with every key and its default; `store` replaces the store section. */
export function exampleConfig(store: string = STORE_SETTINGS): string {
  return `${HEADER}
tenants:                           # the tenants to collect from (default: none)
  - name: contoso                  # a short name of your choice (letters, digits, . _ -)
    tenantId: 00000000-0000-0000-0000-000000000000   # Directory (tenant) ID of the app registration
    clientId: 00000000-0000-0000-0000-000000000000   # Application (client) ID of the app registration
    clientSecret: { env: AUDITWATCH_CONTOSO_SECRET } # or { file: ./auditwatch.secrets/contoso.secret }
    # Instead of a client secret, a certificate uploaded to the app registration:
    # certificate: { file: ./contoso.crt.pem }
    # privateKey: { file: ./auditwatch.secrets/contoso.key.pem }   # or { env: NAME }
    cloud: enterprise              # enterprise, gcc, gcc-high or dod (default enterprise)
    # apiUrl: https://manage.office.com          # override the cloud's API host (default: the cloud's)
    # loginUrl: https://login.microsoftonline.com # override the cloud's login host (default: the cloud's)
    # publisherId: 00000000-0000-0000-0000-000000000000   # PublisherIdentifier (default: tenantId)
    contentTypes:                  # default: all five
      - Audit.AzureActiveDirectory
      - Audit.Exchange
      - Audit.SharePoint
      - Audit.General
      - DLP.All

${store}${SETTINGS}`;
}

export interface EmulatorTenantInfo {
  tenantId: string;
  clientId: string;
  /** Display name or domain, used to name the tenant. */
  name: string;
  /** Path of the secret file, as written in the config (relative to the config's folder). */
  secretFile: string;
}

/** A config for an emulator's tenants; each client secret is in its own file, referenced by path. */
export function emulatorConfig(url: string, tenants: EmulatorTenantInfo[], store: string = STORE_SETTINGS): string {
  const list = tenants
    .map(
      (t) => `  - name: ${t.name}
    tenantId: ${t.tenantId}
    clientId: ${t.clientId}
    clientSecret: { file: ${JSON.stringify(t.secretFile)} }
    apiUrl: ${JSON.stringify(url)}     # the emulator serves the API
    loginUrl: ${JSON.stringify(url)}   # and the token endpoints
`,
    )
    .join('');
  return `${HEADER}# Written by "auditwatch init --emulator ${url}": collects from the emulator's tenants.

tenants:
${list}
${store}${SETTINGS}`;
}
