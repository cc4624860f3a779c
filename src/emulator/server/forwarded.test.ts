// --trust-forwarded: the URIs the emulator hands out (contentUri, NextPageUri) take their scheme and host
// from Forwarded / X-Forwarded-* only when the flag is on; off, they say how the client reached the
// emulator (its Host header), whatever the headers claim.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../core/index.js';
import { startEmulator, type RunningEmulator } from '../index.js';
import { createFixtureSource, feed, FIXTURE_START, tokenFor } from './fixtures.testing.js';

const WINDOW = `startTime=${new Date(FIXTURE_START - 3_600_000).toISOString()}&endTime=${new Date(FIXTURE_START + 20 * 3_600_000).toISOString()}`;

/** The URIs one listing (page size 2, so a NextPageUri) hands out with these request headers. */
async function urisWith(emu: RunningEmulator, headers: Record<string, string>): Promise<string[]> {
  const t = emu.tenants[0]!;
  const token = await tokenFor(emu.url, t);
  await feed(emu.url, t.tenantId, token, `subscriptions/start?contentType=Audit.Exchange&PublisherIdentifier=${t.tenantId}`, { method: 'POST' });
  const res = await feed(emu.url, t.tenantId, token, `subscriptions/content?contentType=Audit.Exchange&${WINDOW}&PublisherIdentifier=${t.tenantId}`, { headers });
  assert.equal(res.status, 200, res.text);
  const next = res.headers.get('NextPageUri');
  assert.ok(next, 'a second page');
  const uris = [...(res.json as { contentUri: string }[]).map((b) => b.contentUri), next];
  const notes = await feed(emu.url, t.tenantId, token, `subscriptions/notifications?contentType=Audit.Exchange&${WINDOW}&PublisherIdentifier=${t.tenantId}`, { headers });
  assert.equal(notes.status, 200, notes.text);
  return uris.concat((notes.json as { contentUri: string }[]).map((n) => n.contentUri));
}

const origins = (uris: string[]) => [...new Set(uris.map((u) => new URL(u).origin))];

for (const trustForwarded of [false, true]) {
  test(`URIs handed out ${trustForwarded ? 'follow' : 'ignore'} the forwarding headers with --trust-forwarded ${trustForwarded ? 'on' : 'off'}`, async () => {
    const clock = new ManualClock(FIXTURE_START + 86_400_000);
    const emu = await startEmulator({ source: createFixtureSource({ blobsPerType: 5 }), clock, pageSize: 2, trustForwarded, throttlePerMinute: 0 });
    try {
      const own = new URL(emu.url).origin;
      assert.deepEqual(origins(await urisWith(emu, {})), [own], 'no headers: the address the client used');
      const cases: [Record<string, string>, string][] = [
        [{ 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'audit.example.com' }, 'https://audit.example.com'],
        [{ 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'audit.example.com', 'X-Forwarded-Port': '8443' }, 'https://audit.example.com:8443'],
        [{ 'X-Forwarded-Proto': 'https' }, own.replace(/^http:/, 'https:')],
        [{ Forwarded: 'for=10.0.0.1;proto=https;host="rfc.example.org", for=10.0.0.2;proto=http;host=inner' }, 'https://rfc.example.org'],
        [{ Forwarded: 'proto=https;host=rfc.example.org', 'X-Forwarded-Host': 'x.example.com' }, 'https://rfc.example.org'],
        [{ 'X-Forwarded-Proto': 'gopher', 'X-Forwarded-Host': 'bad host/<script>' }, own],
      ];
      for (const [headers, expected] of cases) {
        const got = origins(await urisWith(emu, headers));
        assert.deepEqual(got, [trustForwarded ? expected : own], JSON.stringify(headers));
      }
      // A NextPageUri handed out behind the proxy still pages at the emulator (the path and query are its own).
      const t = emu.tenants[0]!;
      const [, , next] = await urisWith(emu, { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'audit.example.com' });
      const direct = new URL(next!);
      const page = await fetch(`${emu.url}${direct.pathname}${direct.search}`, { headers: { Authorization: `Bearer ${await tokenFor(emu.url, t)}` } });
      assert.equal(page.status, 200);
    } finally {
      await emu.close();
    }
  });
}
