// Every notifier against a real local receiver, built from a YAML config like a user writes it: the
// webhook signature and idempotency key, the Teams envelope and card, Slack blocks, an email received by
// smtp-server and parsed by mailparser, syslog over UDP, TCP and TLS parsed as RFC 5424 and CEF.
// Hostile alert content cannot inject headers, markup, links or syslog fields; no secret reaches an
// error or a log.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { parseConfig } from '../../service/index.js';
import { createLogger, ManualClock } from '../../core/index.js';
import { generateCertificate } from '../../emulator/server/certs.js';
import { attempt } from '../stages.js';
import { captureLogs, httpReceiver, streamSyslog, udpSyslog } from '../alerts.testing.js';
import type { AlertPayload } from '../types.js';
import { createNotifiers } from './registry.js';
import type { Notifier } from './types.js';

const SECRET = 'hmac-s3cret-value-0123456789';
const SMTP_PASSWORD = 'smtp-pa55word-value-xyz';
const MEGA = 'M'.repeat(1_000_000);
const clock = new ManualClock(Date.UTC(2026, 2, 3, 12));

const hostile: AlertPayload = {
  id: 'al-0123456789abcdef',
  rule: 'm365-mailbox|self=grant\\x',
  title: 'Evil\r\nBcc: victim@example.com\r\n<script>alert(1)</script> <http://evil.example|click> *bold* ] " \\',
  severity: 'high',
  tenant: 'tenant"]=|',
  groupKey: 'UserId=mallory@contoso.com|\r\nX: y',
  entities: {
    users: ['mallory@contoso.com\r\nX-Injected: yes', `<!channel> [link](http://evil.example) ${MEGA}`],
    ips: ['203.0.113.7'],
    mailboxes: ['ceo@contoso.com"] [evil@1 x="y'],
  },
  tags: ['attack.t1098.002'],
  firstSeen: '2026-03-03T10:00:00.000Z',
  lastSeen: '2026-03-03T11:00:00.000Z',
  count: 7,
  evidence: ['rec-1', 'rec-2\u0000\u001b[31m'],
  evidenceTotal: 7,
  status: 'new',
  assignee: null,
  revision: 1,
  suppressedBy: null,
};

let dir: string;
let cert: Awaited<ReturnType<typeof generateCertificate>>;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aw-notifiers-'));
  cert = await generateCertificate({ commonName: 'localhost', altNames: ['localhost', '127.0.0.1'] });
});
after(async () => rm(dir, { recursive: true, force: true }));

function build(yaml: string, env: Record<string, string>, logs = captureLogs()): Notifier[] {
  const config = parseConfig(yaml, { file: join(dir, 'auditwatch.yaml'), env });
  const logger = createLogger({ sink: logs.sink, level: 'debug' });
  return createNotifiers(config.alerts.destinations, { clock, logger, ca: cert.certificatePem });
}

async function send(n: Notifier, key = 'aw-key-1') {
  return attempt(n, hostile, key, 10_000, clock);
}

function noSecret(text: string) {
  for (const s of [SECRET, SMTP_PASSWORD]) assert.ok(!text.includes(s), 'a secret leaked');
}

test('webhook: JSON with the detect fields, signature verifiable with the secret, idempotency key, custom headers', async () => {
  const rx = await httpReceiver();
  try {
    const [n] = build(
      `alerts:\n  destinations:\n    - name: soc\n      type: webhook\n      url: ${rx.url}\n      secret: { env: HOOK_SECRET }\n      headers: { X-Team: soc }\n`,
      { HOOK_SECRET: SECRET },
    );
    const out = await send(n!);
    assert.equal(out.ok, true);
    const r = rx.received[0]!;
    const body = JSON.parse(r.body) as Record<string, unknown>;
    for (const k of ['rule', 'title', 'severity', 'entities', 'firstSeen', 'lastSeen', 'count', 'evidence', 'id', 'status', 'assignee']) assert.ok(k in body, k);
    assert.equal(body.title, hostile.title);
    const ts = String(r.headers['x-auditwatch-timestamp']);
    const expected = `sha256=${createHmac('sha256', SECRET).update(`${ts}.${r.body}`).digest('hex')}`;
    assert.equal(r.headers['x-auditwatch-signature'], expected);
    assert.equal(r.headers['idempotency-key'], 'aw-key-1');
    assert.equal(r.headers['x-team'], 'soc');
    noSecret(JSON.stringify(r.headers) + r.body);

    rx.respond = () => 503;
    const down = await send(n!);
    assert.equal(down.ok, false);
    assert.equal(!down.ok && down.retryable, true);
    rx.respond = () => 400;
    const bad = await send(n!);
    assert.equal(!bad.ok && bad.retryable, false);
    noSecret(!bad.ok ? bad.error.message : '');
  } finally {
    await rx.close();
  }
});

test('a webhook secret never reaches errors or logs, even when the receiver echoes it', async () => {
  const rx = await httpReceiver();
  const logs = captureLogs();
  try {
    const [n] = build(`alerts:\n  destinations:\n    - name: soc\n      type: webhook\n      url: ${rx.url}\n      secret: { env: HOOK_SECRET }\n`, { HOOK_SECRET: SECRET }, logs);
    rx.respond = () => 500;
    const res = await send(n!);
    assert.equal(res.ok, false);
    noSecret(`${!res.ok ? res.error.message : ''}${logs.lines.join('\n')}${JSON.stringify(n)}${String(n)}`);
  } finally {
    await rx.close();
  }
});

test('teams: the Workflows message envelope with an Adaptive Card 1.4; no Markdown link or script from audit text; URL secret kept out of errors', async () => {
  const rx = await httpReceiver();
  try {
    const url = `${rx.url}?sig=${SECRET}`;
    const [n] = build(`alerts:\n  destinations:\n    - name: teams\n      type: teams\n      url: { env: TEAMS_URL }\n`, { TEAMS_URL: url });
    assert.equal((await send(n!)).ok, true);
    const msg = JSON.parse(rx.received[0]!.body) as { type: string; attachments: { contentType: string; content: Record<string, unknown> }[] };
    assert.equal(msg.type, 'message');
    assert.equal(msg.attachments.length, 1);
    assert.equal(msg.attachments[0]!.contentType, 'application/vnd.microsoft.card.adaptive');
    const card = msg.attachments[0]!.content as { type: string; version: string; body: { type: string; text?: string; facts?: { title: string; value: string }[] }[] };
    assert.equal(card.type, 'AdaptiveCard');
    assert.equal(card.version, '1.4');
    assert.ok(card.body.every((b) => ['TextBlock', 'FactSet'].includes(b.type)));
    const facts = card.body.find((b) => b.type === 'FactSet')!.facts!;
    assert.ok(facts.every((f) => typeof f.title === 'string' && typeof f.value === 'string'));
    const texts = JSON.stringify(card.body);
    assert.ok(!/\]\(http/.test(texts) && !texts.includes('<script') && !/[\r\n]/.test(card.body.map((b) => b.text ?? '').join('')));
    assert.ok(texts.length < 60_000, 'the megabyte entity is bounded');
    rx.respond = () => 500;
    const res = await send(n!);
    assert.ok(!res.ok && !res.error.message.includes(SECRET));
  } finally {
    await rx.close();
  }
});

test('slack: Block Kit with & < > escaped and mrkdwn neutralised; no link, mention or formatting from audit text', async () => {
  const rx = await httpReceiver();
  try {
    const [n] = build(`alerts:\n  destinations:\n    - name: slack\n      type: slack\n      url: { env: SLACK_URL }\n`, { SLACK_URL: `${rx.url}/T000/B000/${SECRET}` });
    assert.equal((await send(n!)).ok, true);
    const msg = JSON.parse(rx.received[0]!.body) as { text: string; blocks: { type: string; text?: { type: string; text: string }; fields?: { text: string }[]; elements?: { text: string }[] }[] };
    assert.equal(msg.blocks[0]!.type, 'header');
    assert.equal(msg.blocks[0]!.text!.type, 'plain_text');
    const mrkdwn = msg.blocks.flatMap((b) => [...(b.fields ?? []), ...(b.elements ?? [])]).map((f) => f.text);
    const values = mrkdwn.map((t) => t.replace(/^\*[A-Za-z ]+\*\n/, ''));
    for (const v of values) {
      assert.ok(!/[<>]/.test(v), `raw < or > in ${v.slice(0, 80)}`);
      assert.ok(!/[*_~`]/.test(v), `mrkdwn formatting in ${v.slice(0, 80)}`);
      assert.ok(v.length <= 3000);
    }
    assert.ok(values.join(' ').includes('&lt;!channel&gt;'));
    assert.ok(msg.text.includes('&lt;http://evil.example|click&gt;'));
    assert.ok(!/[\r\n]/.test(msg.text));
  } finally {
    await rx.close();
  }
});

test('email: smtp-server receives HTML + text with STARTTLS and login; headers cannot be injected; markup is escaped', async () => {
  const mails: string[] = [];
  const logins: string[] = [];
  const server = new SMTPServer({
    secure: false,
    key: cert.privateKeyPem,
    cert: cert.certificatePem,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, cb) {
      logins.push(`${auth.username}:${auth.password === SMTP_PASSWORD}`);
      if (auth.password === SMTP_PASSWORD) cb(null, { user: auth.username });
      else cb(new Error('bad login'));
    },
    onData(stream, _session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push(Buffer.concat(chunks).toString('utf8'));
        cb();
      });
    },
    logger: false,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as { port: number }).port;
  const logs = captureLogs();
  try {
    const yaml = (pw: string) =>
      `alerts:\n  destinations:\n    - name: mail\n      type: email\n      host: 127.0.0.1\n      port: ${port}\n      security: starttls\n      user: aw\n      password: { env: ${pw} }\n      from: auditwatch <aw@example.com>\n      to: [soc@example.com]\n`;
    const [n] = build(yaml('SMTP_PW'), { SMTP_PW: SMTP_PASSWORD }, logs);
    const out = await send(n!, 'aw-mailkey');
    assert.equal(out.ok, true, !out.ok ? out.error.message : '');
    assert.deepEqual(logins, ['aw:true']);
    const parsed = await simpleParser(mails[0]!);
    assert.ok(parsed.subject!.startsWith('[auditwatch] HIGH: Evil'));
    assert.ok(!/[\r\n]/.test(parsed.subject!));
    assert.equal(parsed.headers.get('bcc'), undefined);
    assert.equal(parsed.headers.get('x-injected'), undefined);
    assert.equal(parsed.messageId, '<aw-mailkey@auditwatch>');
    assert.ok(parsed.text!.includes('Users: mallory@contoso.com\\u000d\\u000aX-Injected: yes'));
    assert.ok(typeof parsed.html === 'string' && parsed.html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(!parsed.html.includes('<script>'));
    assert.ok(mails[0]!.length < 200_000, 'the megabyte entity is bounded');
    await n!.close();

    const [wrong] = build(yaml('SMTP_PW'), { SMTP_PW: `${SMTP_PASSWORD}-wrong` }, logs);
    const res = await send(wrong!);
    assert.equal(res.ok, false);
    assert.equal(!res.ok && res.retryable, false, 'a refused login is not retried');
    noSecret(`${!res.ok ? res.error.message : ''}${logs.lines.join('\n')}`);
    await wrong!.close();
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

// RFC 5424: <PRI>1 TS HOST APP PROCID MSGID SD MSG, SD params parsed with their escapes.
function parse5424(line: string) {
  const m = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) (-|\[.*?(?<!\\)\](?:\[.*?(?<!\\)\])*) ?(.*)$/s.exec(line);
  assert.ok(m, `not RFC 5424: ${line.slice(0, 120)}`);
  const params: [string, string][] = [];
  if (m[7] !== '-') {
    const sd = m[7]!;
    assert.ok(sd.startsWith('[auditwatch@32473 '));
    const re = / ([A-Za-z]+)="((?:[^"\\\]]|\\["\\\]])*)"/gy;
    re.lastIndex = '[auditwatch@32473'.length;
    let p: RegExpExecArray | null;
    while ((p = re.exec(sd)) !== null) params.push([p[1]!, p[2]!.replace(/\\(["\\\]])/g, '$1')]);
    assert.equal(sd.slice(re.lastIndex === 0 ? sd.length - 1 : sd.length - 1), ']');
  }
  return { pri: Number(m[1]), host: m[3], app: m[4], msgid: m[6], params, msg: m[8]! };
}

// CEF: 7 header fields split on unescaped |, then key=value pairs split on unescaped =.
function parseCef(payload: string) {
  assert.ok(payload.startsWith('CEF:0|'));
  const fields: string[] = [];
  let cur = '';
  let i = 0;
  for (; i < payload.length && fields.length < 7; i++) {
    const c = payload[i]!;
    if (c === '\\') {
      cur += payload[++i];
    } else if (c === '|') {
      fields.push(cur);
      cur = '';
    } else cur += c;
  }
  const ext = payload.slice(i);
  const keys = [...ext.matchAll(/(?:^| )([A-Za-z0-9]+)=/g)];
  const map: Record<string, string> = {};
  keys.forEach((k, j) => {
    const start = k.index! + k[0].length;
    const end = j + 1 < keys.length ? keys[j + 1]!.index! : ext.length;
    map[k[1]!] = ext.slice(start, end).replace(/\\n/g, '\n').replace(/\\r/g, '\r').replace(/\\([\\=])/g, '$1');
  });
  return { header: fields, ext: map };
}

test('syslog RFC 5424 over UDP and TCP (octet counting): fields cannot be injected by ] " \\ or CR/LF', async () => {
  const udp = await udpSyslog();
  const tcp = await streamSyslog();
  try {
    const ns = build(
      `alerts:\n  destinations:\n    - { name: u, type: syslog, host: 127.0.0.1, port: ${udp.port}, protocol: udp, hostname: aw-host }\n    - { name: t, type: syslog, host: 127.0.0.1, port: ${tcp.port}, protocol: tcp, hostname: aw-host }\n`,
      {},
    );
    for (const n of ns) assert.equal((await send(n, 'aw-sys')).ok, true);
    await send(ns[1]!, 'aw-sys-2');
    await udp.waitFor(1);
    await tcp.waitFor(2);
    assert.equal(tcp.messages.length, 2, 'two frames, no extra record from CR/LF');
    for (const line of [udp.messages[0]!, tcp.messages[0]!]) {
      assert.ok(!/[\r\n]/.test(line));
      const p = parse5424(line);
      assert.equal(p.pri, 20 * 8 + 3);
      assert.equal(p.host, 'aw-host');
      assert.equal(p.app, 'auditwatch');
      const params = Object.fromEntries(p.params.filter(([k]) => !['user', 'ip', 'tag'].includes(k)));
      assert.equal(params.tenant, 'tenant"]=|');
      assert.equal(params.rule, hostile.rule);
      assert.equal(params.idempotencyKey, 'aw-sys');
      assert.ok(!p.params.some(([k]) => k === 'x'), 'no parameter injected from a mailbox value');
      assert.ok(p.msg.startsWith('HIGH: Evil\\u000d\\u000aBcc'));
    }
    assert.ok(Buffer.byteLength(udp.messages[0]!) <= 8192);
  } finally {
    await udp.close();
    await tcp.close();
  }
});

test('syslog CEF over TLS with a throwaway certificate: header | and \\ escaped, extension = \\ and newlines escaped', async () => {
  const tls = await streamSyslog({ key: cert.privateKeyPem, cert: cert.certificatePem });
  try {
    const [n] = build(`alerts:\n  destinations:\n    - { name: s, type: syslog, host: 127.0.0.1, port: ${tls.port}, protocol: tls, format: cef }\n`, {});
    const out = await send(n!, 'aw-cef');
    assert.equal(out.ok, true, !out.ok ? out.error.message : '');
    await tls.waitFor(1);
    const line = tls.messages[0]!;
    assert.ok(!/[\r\n]/.test(line));
    const cefStart = line.indexOf('CEF:0|');
    assert.ok(cefStart > 0);
    const cef = parseCef(line.slice(cefStart));
    assert.equal(cef.header.length, 7);
    assert.equal(cef.header[4], hostile.rule, 'signature id keeps | and \\ as text');
    assert.equal(cef.header[6], '8');
    assert.equal(cef.ext.cs1, 'tenant"]=|');
    assert.equal(cef.ext.cs5, 'aw-cef');
    assert.equal(cef.ext.externalId, hostile.id);
    assert.ok(cef.ext.suser!.includes('X-Injected: yes'));
    assert.equal(cef.ext.src, '203.0.113.7');
    assert.equal(Object.keys(cef.ext).filter((k) => k === 'X').length, 0);
  } finally {
    await tls.close();
  }
});

test('syslog to a closed port fails as retryable with a one-line error', async () => {
  const tcp = await streamSyslog();
  const port = tcp.port;
  await tcp.close();
  const [n] = build(`alerts:\n  destinations:\n    - { name: t, type: syslog, host: 127.0.0.1, port: ${port}, protocol: tcp }\n`, {});
  const out = await send(n!);
  assert.equal(out.ok, false);
  assert.ok(!out.ok && out.retryable && /ECONNREFUSED/.test(out.error.message));
});

test('config: unknown destination type, a literal secret, a route to a missing destination are refused with lines', () => {
  const lines = (yaml: string) => {
    try {
      parseConfig(yaml, { file: join(dir, 'c.yaml'), env: {} });
    } catch (e) {
      return (e as { lines(): string[] }).lines().join('\n');
    }
    return '';
  };
  const a = lines(`alerts:\n  destinations:\n    - { name: a, type: pager }\n    - { name: b, type: webhook, url: "http://x", secret: "literal" }\n`);
  assert.match(a, /c\.yaml:3: .*type: one of webhook, teams, slack, email, syslog/);
  assert.match(a, /must not be written in the config/);
  assert.ok(!a.includes('literal'));
  const b = lines(`alerts:\n  destinations:\n    - { name: b, type: webhook, url: "http://x" }\n  routes:\n    - { destinations: [nope] }\n`);
  assert.match(b, /c\.yaml:5: .*names "nope", which is not a destination; use one of b/);
});
