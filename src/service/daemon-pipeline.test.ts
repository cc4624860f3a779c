// The collect daemon with its built-in plug-ins, end to end against the emulator over HTTP: records are
// enriched at ingest, detection runs after the committed batches, alerts are stored and delivered by
// the outbox to a real webhook receiver, each once.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { silentLogger, systemClock } from '../core/index.js';
import { loadConfig } from './config.js';
import { createContentSource, startEmulator, type RunningEmulator } from '../emulator/index.js';
import { openStore, sql } from '../store/index.js';
import { startWebhookReceiver, writeDemoConfig, type WebhookReceiver } from '../cli/demo-steps.js';
import { apiServing, readEndpoint } from '../server/index.js';
import { runDaemon } from './daemon.js';
import { DAEMON_PLUGINS } from './plugins.js';

const root = mkdtempSync(join(tmpdir(), 'aw-daemon-'));
let emu: RunningEmulator;
let rx: WebhookReceiver;

before(async () => {
  const source = createContentSource({
    seed: 'daemon-pipeline',
    days: 1,
    users: 20,
    tenants: 1,
    scenarios: ['brute-force', 'mailbox-fullaccess-self-grant', 'admin-grants-colleague-fullaccess'],
    latency: { kind: 'fixed', ms: 0 },
    live: false,
    startTime: systemClock.now(),
  });
  emu = await startEmulator({ source, throttlePerMinute: 0 });
  rx = await startWebhookReceiver(join(root, 'webhook.log'));
});
after(async () => {
  await rx?.close();
  await emu?.close();
  rmSync(root, { recursive: true, force: true });
});

test('the daemon enriches, detects after each batch and delivers every alert once', { timeout: 180_000 }, async () => {
  const file = writeDemoConfig(root, emu.url, emu.tenants, rx.url);
  const config = loadConfig(file);
  config.collect.initialLookback = 2 * 86_400_000;
  // A user folder with a broken rule: the daemon skips it, names it in status and /metrics, and runs the rest.
  const userRules = join(root, 'user-rules');
  mkdirSync(userRules);
  writeFileSync(join(userRules, 'broken.yml'), 'title: Broken\nid: broken\nlogsource: {product: m365, service: azuread}\ndetection:\n  s:\n    Operation|nosuchmodifier: x\n  condition: s\n');
  config.detect.ruleDirs = [userRules];
  config.collect.listen = { host: '127.0.0.1', port: 0 };
  let url: string | null = null;
  let metrics = '';
  let status: { warnings: string[] } = { warnings: [] };
  const store = await openStore({ engine: 'duckdb', path: config.store.path });
  const controller = new AbortController();
  try {
    await runDaemon({
      onListening: (u) => (url = u),
      serve: apiServing(config, silentLogger, systemClock),
      config,
      store,
      logger: silentLogger,
      clock: systemClock,
      signal: controller.signal,
      plugins: [
        ...DAEMON_PLUGINS,
        () => ({
          name: 'stop-after-delivery',
          // Plug-ins run in order: by now detection has caught up with the pass; wait for the outbox.
          afterPass: async () => {
            const pending = async () =>
              Number((await store.query(sql`SELECT count(*) AS n FROM alert_outbox WHERE status = ${'pending'}`))[0]!['n']);
            const alerts = async () => Number((await store.query(sql`SELECT count(*) AS n FROM alerts`))[0]!['n']);
            for (let i = 0; i < 300 && ((await alerts()) === 0 || (await pending()) > 0); i++) await new Promise((r) => setTimeout(r, 100));
            metrics = await (await fetch(`${url}/metrics`)).text();
            const token = readEndpoint(config.store.path)!.token;
            status = ((await (await fetch(`${url}/api/v1/status`, { headers: { authorization: `Bearer ${token}` } })).json()) as { data: typeof status }).data;
            controller.abort();
          },
        }),
      ],
    });
    const truth = (await (await fetch(`${emu.url}/_emulator/ground-truth`)).json()) as {
      scenarios: { name: string; actors: string[]; recordIds: string[] }[];
    };
    const alerts = await store.query<{ rule_id: string; n: number }>(sql`SELECT rule_id, count(*) AS n FROM alerts GROUP BY rule_id`);
    const lines = readFileSync(join(root, 'webhook.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; title: string; entities: { users?: string[] } });
    assert.match(metrics, /auditwatch_rules_skipped\{stage="load"\} 1/);
    assert.ok(status.warnings.some((w) => /broken\.yml:6 is skipped \(it does not load\)/.test(w)), JSON.stringify(status.warnings));
    assert.equal(new Set(lines.map((l) => l.id)).size, lines.length, 'each alert delivered once');
    assert.equal(lines.length, alerts.reduce((n, a) => n + Number(a.n), 0), 'every stored alert was delivered');
    const selfGrant = truth.scenarios.find((s) => s.name === 'mailbox-fullaccess-self-grant')!;
    const colleague = truth.scenarios.find((s) => s.name === 'admin-grants-colleague-fullaccess')!;
    assert.ok(lines.some((l) => /themself access to another user's mailbox/.test(l.title) && (l.entities.users ?? []).includes(selfGrant.actors[0]!)), 'the self-grant alert reached the webhook');
    assert.ok(lines.some((l) => /failed sign-ins/i.test(l.title)), `the brute force alert reached the webhook: ${JSON.stringify(lines.map((l) => l.title))}`);
    const colleagueAlerts = await store.query(sql`SELECT a.id FROM alerts a JOIN alert_evidence e ON e.alert_id = a.id WHERE e.record_id = ${colleague.recordIds[0]!}`);
    assert.equal(colleagueAlerts.length, 0, 'no alert on the benign grant to a colleague');
    const geo = await store.query<{ n: number; with_country: number }>(
      sql`SELECT count(*) AS n, count(country) AS with_country FROM events WHERE client_ip IS NOT NULL`,
    );
    assert.ok(Number(geo[0]!.n) > 0 && Number(geo[0]!.with_country) / Number(geo[0]!.n) > 0.9, `enriched at ingest: ${JSON.stringify(geo[0])}`);
  } finally {
    await store.close();
  }
});
