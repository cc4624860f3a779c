// Destination secrets against a receiver that echoes what it got (as some receivers and proxies do on a
// 500): the token in a Slack URL's path, a Teams signature, a webhook URL's user:pass@ and ?token=, and
// header values never reach an error, `notify test`, alert_outbox.last_error or a log. Every URL, header
// and credential can come from { env } / { file }; written in the config, a credential is refused.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseConfig } from '../../config/index.js';
import { collectSecrets, createLogger, ManualClock, Secret, scrub, silentLogger } from '../../core/index.js';
import { runCli } from '../../cli/testing.js';
import { outboxRows } from '../outbox.js';
import { createAlertService } from '../service.js';
import { attempt } from '../stages.js';
import { captureLogs, hit, T0, tempStore } from '../testing.js';
import { createOutboxWorker } from '../worker.js';
import { createNotifiers } from './registry.js';
import { sampleAlert } from '../sample.js';

const SLACK_TOKEN = 'xoxbAbCdEfGhIjKlMnOpQrStUv';
const TEAMS_SIG = 'Zm9vYmFyYmF6cXV4LXNpZ25hdHVyZS12YWx1ZQ';
const PASSWORD = 'hunter2-Pa55-word';
const QUERY_TOKEN = 'qtok-9f8e7d6c5b4a';
const HEADER_TOKEN = 'Bearer hdr-0a1b2c3d4e5f6789';
const ALL = [SLACK_TOKEN, TEAMS_SIG, PASSWORD, QUERY_TOKEN, HEADER_TOKEN.slice(7), Buffer.from(`svc:${PASSWORD}`).toString('base64')];

/** Answers 500 with the request line and headers echoed back, like a misconfigured proxy. */
let server: Server;
let base = '';
const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
let ctx: Awaited<ReturnType<typeof tempStore>>;
before(async () => {
  ctx = await tempStore();
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    req.resume();
    req.on('end', () => res.writeHead(500, { 'content-type': 'text/plain' }).end(`upstream error for POST ${req.url} auth=${req.headers.authorization ?? ''} x-api=${String(req.headers['x-api-key'] ?? '')}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await ctx.cleanup();
});

const env = () => ({
  SLACK_URL: `${base}/services/T0AAA1111/B0BBB2222/${SLACK_TOKEN}`,
  TEAMS_URL: `${base}/workflows/0123456789abcdef0123456789abcdef/triggers/manual/paths/invoke?api-version=2016-06-01&sig=${TEAMS_SIG}`,
  HOOK_URL: `http://svc:${PASSWORD}@${base.slice('http://'.length)}/hook?token=${QUERY_TOKEN}`,
  HOOK_AUTH: HEADER_TOKEN,
});

const YAML = `alerts:
  destinations:
    - { name: slack, type: slack, url: { env: SLACK_URL } }
    - { name: teams, type: teams, url: { env: TEAMS_URL } }
    - { name: hook, type: webhook, url: { env: HOOK_URL }, headers: { Authorization: { env: HOOK_AUTH }, X-Api-Key: { env: HOOK_AUTH }, X-Team: soc } }
`;

function leaks(text: string): string[] {
  return ALL.filter((s) => text.includes(s));
}

test('a receiver echoing the request on a 500: no URL token, signature, login or header value in the error', async () => {
  const config = parseConfig(YAML, { file: join(ctx.dir, 'a.yaml'), env: env() });
  const notifiers = createNotifiers(config.alerts.destinations, { clock: new ManualClock(T0), logger: silentLogger });
  seen.length = 0;
  for (const n of notifiers) {
    const out = await attempt(n, sampleAlert(T0), 'k1', 5_000, new ManualClock(T0));
    assert.equal(out.ok, false);
    const message = !out.ok ? out.error.message : '';
    assert.match(message, /HTTP 500: upstream error/, message);
    assert.deepEqual(leaks(message), [], `${n.name}: ${message}`);
  }
  // The secrets did reach the receiver: the check above can fail.
  const echoed = JSON.stringify(seen);
  assert.ok(echoed.includes(SLACK_TOKEN) && echoed.includes(TEAMS_SIG) && echoed.includes(QUERY_TOKEN) && echoed.includes(HEADER_TOKEN));
  const hook = seen.find((s) => s.url.startsWith('/hook'))!;
  assert.equal(hook.headers.authorization, HEADER_TOKEN, 'an Authorization header set in the config wins over the URL login');
});

test('the URL login becomes a Basic credential, and the outbox keeps only a scrubbed last_error', async () => {
  const config = parseConfig(
    `alerts:\n  destinations:\n    - { name: hook, type: webhook, url: { env: HOOK_URL }, ratePerMinute: 1000 }\n    - { name: slack, type: slack, url: { env: SLACK_URL } }\n`,
    { file: join(ctx.dir, 'b.yaml'), env: env() },
  );
  const clock = new ManualClock(T0);
  const logs = captureLogs();
  const logger = createLogger({ sink: logs.sink, level: 'debug', secrets: collectSecrets(config) });
  const notifiers = createNotifiers(config.alerts.destinations, { clock, logger });
  const service = createAlertService({ store: ctx.store, clock, config: config.alerts });
  const worker = createOutboxWorker({ store: ctx.store, clock, notifiers, logger, random: () => 0.5 });
  seen.length = 0;
  await service.ingestHits([hit({ groupKey: 'leak-1', evidence: ['e1'] })]);
  await worker.runOnce();
  const hook = seen.find((s) => s.url.startsWith('/hook'))!;
  assert.equal(hook.headers.authorization, `Basic ${Buffer.from(`svc:${PASSWORD}`).toString('base64')}`);
  const rows = await outboxRows(ctx.store, {});
  assert.ok(rows.length >= 2);
  for (const r of rows) {
    assert.match(r.lastError ?? '', /HTTP 500/);
    assert.deepEqual(leaks(r.lastError ?? ''), [], r.lastError ?? '');
  }
  // The daemon's log is scrubbed of every destination's secrets, whatever writes to it.
  logger.warn(`a library said: POST ${env().SLACK_URL} and /hook?token=${QUERY_TOKEN} failed`, { detail: { url: env().HOOK_URL } });
  assert.deepEqual(leaks(logs.lines.join('\n')), [], logs.lines.join('\n'));
});

test('notify test prints the outcome without any secret of any destination', async () => {
  const cfg = join(ctx.dir, 'notify.yaml');
  writeFileSync(cfg, `store:\n  path: ./notify.duckdb\n${YAML}`);
  const saved = { ...process.env };
  Object.assign(process.env, env());
  try {
    for (const name of ['slack', 'teams', 'hook']) {
      const r = await runCli(['notify', 'test', name, '--config', cfg]);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /not delivered .*HTTP 500/);
      assert.deepEqual(leaks(r.stdout + r.stderr), [], r.stdout);
    }
  } finally {
    for (const k of Object.keys(env())) if (saved[k] === undefined) delete process.env[k];
  }
});

test('written in the config, a URL with a login or token, or a credential header, is refused with the fix', () => {
  const lines = (yaml: string) => {
    try {
      parseConfig(yaml, { file: join(ctx.dir, 'c.yaml'), env: {} });
    } catch (e) {
      return (e as { lines(): string[] }).lines().join('\n');
    }
    return '';
  };
  const login = lines(`alerts:\n  destinations:\n    - { name: a, type: webhook, url: "https://svc:${PASSWORD}@soar.example.com/h" }\n`);
  assert.match(login, /c\.yaml:3: .*url carries a login \(user:pass@\); a credential must not be written in the config: put the URL in \{ env: AUDITWATCH_WEBHOOK_URL \}/);
  const query = lines(`alerts:\n  destinations:\n    - { name: a, type: webhook, url: "https://soar.example.com/h?token=${QUERY_TOKEN}" }\n`);
  assert.match(query, /url carries a credential in its query \(token=\)/);
  const header = lines(`alerts:\n  destinations:\n    - { name: a, type: webhook, url: "https://soar.example.com/h", headers: { Authorization: "${HEADER_TOKEN}" } }\n`);
  assert.match(header, /headers\.Authorization is a credential \(Authorization\) and must not be written in the config; use \{ env: AUDITWATCH_WEBHOOK_TOKEN \}/);
  assert.deepEqual(leaks(login + query + header), [], 'the refused value is not echoed');
  assert.equal(lines(`alerts:\n  destinations:\n    - { name: a, type: webhook, url: "https://soar.example.com/h?team=soc", headers: { X-Team: soc } }\n`), '', 'a plain URL and header stay writable');
  // Email: the login may come from a file or the environment too.
  const ok = parseConfig(`alerts:\n  destinations:\n    - { name: m, type: email, host: smtp.example.com, user: { env: SMTP_USER }, password: { env: SMTP_PASS }, from: a@example.com, to: [b@example.com] }\n`, { file: join(ctx.dir, 'd.yaml'), env: { SMTP_USER: 'svc-login', SMTP_PASS: PASSWORD } });
  const m = ok.alerts.destinations[0] as { user?: unknown };
  assert.ok(m.user instanceof Secret && m.user.reveal() === 'svc-login');
});

test('scrub knows the pieces of a URL secret, raw and percent-decoded', () => {
  const url = new Secret(`https://u%40corp:p%2Fss-word-1@h.example.com/services/T0AAA1111/B0BBB2222/${SLACK_TOKEN}?sig=${TEAMS_SIG}&v=1`);
  const text = `POST /services/T0AAA1111/B0BBB2222/${SLACK_TOKEN} sig=${TEAMS_SIG} user u@corp pass p/ss-word-1 and p%2Fss-word-1`;
  const out = scrub(text, [url]);
  for (const piece of [SLACK_TOKEN, TEAMS_SIG, 'p/ss-word-1', 'p%2Fss-word-1', 'T0AAA1111']) assert.ok(!out.includes(piece), `${piece} in ${out}`);
  assert.match(out, /^POST <redacted>/);
});
