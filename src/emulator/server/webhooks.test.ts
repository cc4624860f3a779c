// Webhooks against a real local receiver (validation POST, AF20021, notifications of new blobs, the
// notifications history) and HTTPS with the certificate generated at start-up.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '../../core/index.js';
import { startEmulator } from '../index.js';
import { createFixtureSource, errorCode, feed, FIXTURE_START, tokenFor } from './fixtures.testing.js';

const SP = 'Audit.SharePoint';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

async function receiver() {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (text += c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(text) });
      res.statusCode = req.url === '/refuse' ? 500 : 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

test('webhook: validation POST, AF20021 on refusal, AF20003 for a past expiration, notifications of new blobs', async () => {
  const clock = new ManualClock(FIXTURE_START + 2 * 3_600_000);
  const rx = await receiver();
  const em = await startEmulator({ source: createFixtureSource(), clock, notifyPollMs: 3_600_000 });
  try {
    const t = em.tenants[0]!;
    const token = await tokenFor(em.url, t);
    const start = (type: string, webhook: unknown) =>
      feed(em.url, t.tenantId, token, `subscriptions/start?contentType=${type}`, { method: 'POST', body: JSON.stringify({ webhook }) });

    const refused = await start('Audit.Exchange', { address: `${rx.url}/refuse`, authId: 'a1' });
    assert.equal(refused.status, 400);
    assert.equal(errorCode(refused.json), 'AF20021');
    const past = await start('Audit.General', { address: `${rx.url}/hook`, expiration: '2020-01-01T00:00:00Z' });
    assert.equal(errorCode(past.json), 'AF20003');
    const notJson = await feed(em.url, t.tenantId, token, 'subscriptions/start?contentType=Audit.General', { method: 'POST', body: '{webhook:' });
    assert.equal(errorCode(notJson.json), 'AF20002');
    assert.equal(errorCode((await start('Audit.General', { authId: 'no address' })).json), 'AF20001');

    const ok = await start(SP, { address: `${rx.url}/hook`, authId: 'shared-auth-id', expiration: '' });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.json, { contentType: SP, status: 'enabled', webhook: { status: 'enabled', address: `${rx.url}/hook`, authId: 'shared-auth-id', expiration: '' } });
    const validation = rx.received.find((r) => r.path === '/hook')!;
    assert.ok(validation.headers['webhook-validationcode']);
    assert.equal(validation.headers['webhook-authid'], 'shared-auth-id');
    assert.deepEqual(validation.body, { validationCode: validation.headers['webhook-validationcode'] });

    // Nothing new yet: old blobs are not notified.
    await em.control.deliverNotifications();
    assert.equal(rx.received.filter((r) => r.path === '/hook').length, 1);

    const injected = em.control.inject('fixture-burst', { tenantId: t.tenantId }, clock.now() + 60_000);
    clock.advance(120_000);
    await em.control.deliverNotifications();
    const notes = rx.received.filter((r) => r.path === '/hook' && Array.isArray(r.body));
    assert.equal(notes.length, 1);
    const [note] = notes[0]!.body as Record<string, string>[];
    assert.equal(notes[0]!.headers['webhook-authid'], 'shared-auth-id');
    assert.deepEqual(Object.keys(note!).sort(), ['clientId', 'contentCreated', 'contentExpiration', 'contentId', 'contentType', 'contentUri', 'tenantId']);
    assert.equal(note!.tenantId, t.tenantId);
    assert.equal(note!.clientId, t.clientId);
    assert.equal(note!.contentType, SP);
    const blob = await feed(em.url, t.tenantId, token, note!.contentUri!.slice(note!.contentUri!.indexOf('/audit/') + 1));
    assert.deepEqual((blob.json as { Id: string }[]).map((r) => r.Id), injected.recordIds);

    // Delivered once: a second round sends nothing new.
    clock.advance(60_000);
    await em.control.deliverNotifications();
    assert.equal(rx.received.filter((r) => r.path === '/hook' && Array.isArray(r.body)).length, 1);

    const history = await feed(em.url, t.tenantId, token, `subscriptions/notifications?contentType=${SP}&startTime=2026-01-10&endTime=2026-01-11`);
    assert.equal(history.status, 200);
    const entries = history.json as { contentId: string; notificationStatus: string }[];
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.contentId, note!.contentId);
    assert.equal(entries[0]!.notificationStatus, 'Succeeded');

    // The same webhook again is no property change.
    clock.advance(15 * 60_000);
    const same = await start(SP, { address: `${rx.url}/hook`, authId: 'shared-auth-id', expiration: '' });
    assert.equal(errorCode(same.json), 'AF20024');
    assert.equal(em.control.stats().webhooks.notifications, 1);
  } finally {
    await em.close();
    await rx.close();
  }
});

function httpsCall(url: string, ca: string, options: { method?: string; body?: string; headers?: Record<string, string> } = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpsRequest(url, { method: options.method ?? 'GET', ca, headers: options.headers ?? {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

test('TLS: HTTPS with the generated certificate, trusted as a CA, serves tokens and the API', async () => {
  const em = await startEmulator({ source: createFixtureSource(), clock: new ManualClock(FIXTURE_START + 7_200_000), tls: true });
  try {
    assert.match(em.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(em.caPem);
    const t = em.tenants[0]!;
    const tok = await httpsCall(`${em.url}/${t.tenantId}/oauth2/v2.0/token`, em.caPem, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: t.clientId, client_secret: t.clientSecret, scope: 'https://manage.office.com/.default' }).toString(),
    });
    assert.equal(tok.status, 200);
    const token = (JSON.parse(tok.body) as { access_token: string }).access_token;
    const list = await httpsCall(`${em.url}/api/v1.0/${t.tenantId}/activity/feed/subscriptions/list`, em.caPem, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(list.status, 200);
    assert.equal(list.body, '[]');
    const ca = await httpsCall(`${em.url}/_emulator/ca`, em.caPem);
    assert.equal(ca.body, em.caPem);
    await assert.rejects(httpsCall(`${em.url}/_emulator/stats`, ''), /self[- ]signed|unable to verify|certificate/i);
  } finally {
    await em.close();
  }
});
