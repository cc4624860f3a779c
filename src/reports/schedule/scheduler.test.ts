// Report schedules in simulated time (ManualClock): a due time fires once — also across a restart — and
// the report reaches a real SMTP server (smtp-server; mailparser checks the HTML and CSV attachments) and
// a real HTTP webhook receiver (JSON, signed); a receiver that is down gets the report after it returns.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { ManualClock } from '../../core/index.js';
import { parseConfig, type Config } from '../../service/index.js';
import { openDuckDbStore, type Store } from '../../store/index.js';
import { createReportScheduler, listRuns } from '../index.js';

let dir = '';
let store: Store;
let smtp: SMTPServer;
let smtpPort = 0;
const mails: Buffer[] = [];
let http: Server;
let httpPort = 0;
const posts: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
let httpDown = 0;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aw-reports-sched-'));
  store = await openDuckDbStore({ path: join(dir, 'store.duckdb'), threads: 1 });
  await store.migrate();
  smtp = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    onData(stream, _s, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push(Buffer.concat(chunks));
        cb();
      });
    },
    logger: false,
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
  smtpPort = (smtp.server.address() as { port: number }).port;
  http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (httpDown > 0) {
        httpDown -= 1;
        res.writeHead(503).end('down');
        return;
      }
      posts.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()));
  httpPort = (http.address() as { port: number }).port;
});

after(async () => {
  await store?.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await new Promise<void>((resolve) => http.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

function config(): Config {
  return parseConfig(
    `alerts:
  destinations:
    - name: mail
      type: email
      host: 127.0.0.1
      port: ${smtpPort}
      security: none
      from: auditwatch <aw@example.com>
      to: [auditors@example.com]
    - name: hook
      type: webhook
      url: http://127.0.0.1:${httpPort}/reports
      secret: { env: HOOK_SECRET }
reports:
  folder: ./kept
  schedules:
    - name: monthly-self-grants
      report: mailbox-self-grants
      cron: "0 6 1 * *"
      formats: [html, csv]
      deliver: [mail, hook]
    - report: failed-signins
      cron: "30 7 * * *"
      formats: [json]
      period: last-day
      deliver: [hook]
`,
    { file: join(dir, 'auditwatch.yaml'), env: { HOOK_SECRET: 'hook-secret-123' } },
  );
}

test('schedules fire once per due time in simulated time, across restarts, and deliver by email and webhook', async () => {
  const clock = new ManualClock(Date.UTC(2026, 2, 1, 5, 0));
  const cfg = config();
  let scheduler = createReportScheduler({ store, clock, config: cfg });
  assert.deepEqual(await scheduler.runDue(), [], 'first sight: a baseline, nothing fired');
  assert.equal(scheduler.nextDue(), Date.UTC(2026, 2, 1, 6, 0));

  clock.set(Date.UTC(2026, 2, 1, 6, 0, 20));
  const fired = await scheduler.runDue();
  assert.deepEqual(fired.map((f) => [f.schedule, f.status]), [['monthly-self-grants', 'done']]);
  assert.equal(fired[0]!.files.length, 2);
  for (const f of fired[0]!.files) assert.ok(existsSync(f) && f.startsWith(join(dir, 'kept', 'monthly-self-grants')), `${f} kept for download`);

  assert.equal(mails.length, 1);
  const mail = await simpleParser(mails[0]!);
  assert.match(mail.subject ?? '', /Report: Admins who gave themselves access/);
  assert.match(mail.subject ?? '', /2026-02-01 00:00 – 2026-03-01 00:00 UTC/, 'the default period is last month');
  const names = mail.attachments.map((a) => a.filename).sort();
  assert.deepEqual(names, ['mailbox-self-grants_20260301T0600Z.csv', 'mailbox-self-grants_20260301T0600Z.html']);
  const csv = mail.attachments.find((a) => a.filename!.endsWith('.csv'))!.content.toString('utf8');
  assert.ok(csv.startsWith('\uFEFF') && csv.includes('\r\n'));
  const html = mail.attachments.find((a) => a.filename!.endsWith('.html'))!.content.toString('utf8');
  assert.ok(html.includes("default-src 'none'") && html.includes('No matching records in this period.'));

  assert.equal(posts.length, 1);
  const body = JSON.parse(posts[0]!.body) as { type: string; report: { report: string; sections: unknown[] } };
  assert.equal(body.type, 'report');
  assert.equal(body.report.report, 'mailbox-self-grants');
  assert.equal(body.report.sections.length, 2);
  assert.match(String(posts[0]!.headers['x-auditwatch-signature']), /^sha256=[0-9a-f]{64}$/);

  assert.deepEqual(await scheduler.runDue(), [], 'the same due time does not fire twice');
  scheduler = createReportScheduler({ store, clock, config: cfg });
  assert.deepEqual(await scheduler.runDue(), [], 'nor after a restart');

  // The daily schedule: the webhook is down for its first attempt, then gets it once.
  httpDown = 1;
  clock.set(Date.UTC(2026, 2, 1, 7, 30, 5));
  const daily = await scheduler.runDue();
  assert.deepEqual(daily.map((f) => [f.schedule, f.status]), [['failed-signins@30 7 * * *', 'retrying']]);
  assert.equal(posts.length, 1, 'nothing arrived while the receiver was down');
  clock.advance(30_000);
  assert.deepEqual(await scheduler.runDue(), [], 'not before the retry is due');
  clock.advance(60_000);
  scheduler = createReportScheduler({ store, clock, config: cfg });
  const retried = await scheduler.runDue();
  assert.deepEqual(retried.map((f) => [f.schedule, f.status]), [['failed-signins@30 7 * * *', 'done']]);
  assert.equal(posts.length, 2);
  const daySummary = JSON.parse(posts[1]!.body) as { report: { report: string; period: { from: string; to: string } } };
  assert.equal(daySummary.report.report, 'failed-signins');
  assert.deepEqual(daySummary.report.period, { from: '2026-02-28T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' });
  assert.match(String(posts[1]!.headers['idempotency-key']), /^report-[0-9a-f]{32}$/);
  assert.equal(retried[0]!.deliveries['hook']!.attempts, 2, 'delivered on the second attempt');
  assert.equal(mails.length, 1, 'the daily schedule sends no email');

  // Next month: fires again; runs are listed.
  clock.set(Date.UTC(2026, 3, 1, 6, 1));
  const april = await scheduler.runDue();
  assert.ok(april.some((f) => f.schedule === 'monthly-self-grants' && f.status === 'done'));
  assert.equal(mails.length, 2);
  const runs = await listRuns(store);
  assert.ok(runs.length >= 3 && runs.every((r) => r.status !== 'baseline'));
  assert.ok(JSON.parse(readFileSync(runs.find((r) => r.report === 'failed-signins')!.files[0]!.path, 'utf8')));
});

test('a schedule naming an unknown report or a destination that cannot carry reports is refused', () => {
  const clock = new ManualClock();
  const cfg = config();
  const bad = { ...cfg, reports: { ...cfg.reports, schedules: [{ ...cfg.reports.schedules[0]!, report: 'nope', deliver: ['missing'] }] } };
  assert.throws(() => createReportScheduler({ store, clock, config: bad }), /"nope" is not a report.*"missing", which is not in alerts.destinations/);
});
