// The ground truth says exactly what the API serves: an independent client (plain fetch, no auditwatch
// code) that lists the whole 7 days and fetches every blob gets the same record Ids as the ground truth,
// at several moments and emulator start times — a frozen tenant (--no-live) and a live one, just before,
// at and just after a publishing edge (blob slots are 5 minutes from the start; each such moment is also
// the expiry edge of the blob created 7 days before). With `times`, the ground truth says when each
// pending record is published, and it is published exactly then.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DAY, HOUR, MINUTE, ManualClock } from '../../core/index.js';
import { CONTENT_TYPES } from '../../records/index.js';
import { createContentSource, startEmulator, type GroundTruth, type RunningEmulator } from '../index.js';

const SLOT = 5 * MINUTE;

async function token(emu: RunningEmulator): Promise<string> {
  const t = emu.tenants[0]!;
  const res = await fetch(`${emu.url}/${t.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: t.clientId, client_secret: t.clientSecret, scope: 'https://manage.office.com/.default' }),
  });
  assert.equal(res.status, 200);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** What a client that follows the API's rules can list and fetch now, per content type. */
async function listEverything(emu: RunningEmulator, now: number): Promise<Record<string, string[]>> {
  const tenantId = emu.tenants[0]!.tenantId;
  const auth = { Authorization: `Bearer ${await token(emu)}` };
  const out: Record<string, string[]> = {};
  const iso = (ms: number) => new Date(ms).toISOString();
  for (const ct of CONTENT_TYPES) {
    const ids = new Set<string>();
    // Seven 24-hour windows back from now, and one just past it (contentCreated = now is served).
    const windows = Array.from({ length: 7 }, (_, i) => [now - (7 - i) * DAY, now - (6 - i) * DAY] as const).concat([[now, now + MINUTE]]);
    for (const [start, end] of windows) {
      let url: string | null = `${emu.url}/api/v1.0/${tenantId}/activity/feed/subscriptions/content?contentType=${ct}&startTime=${iso(start)}&endTime=${iso(end)}&PublisherIdentifier=${tenantId}`;
      while (url) {
        const res: Response = await fetch(url, { headers: auth });
        assert.equal(res.status, 200, await res.clone().text());
        for (const blob of (await res.json()) as { contentUri: string }[]) {
          const body = await fetch(blob.contentUri, { headers: auth });
          if (body.status === 400 && /AF20051/.test(await body.clone().text())) continue; // expired between listing and fetching
          assert.equal(body.status, 200);
          for (const r of (await body.json()) as { Id: string }[]) ids.add(r.Id);
        }
        url = res.headers.get('NextPageUri');
      }
    }
    out[ct] = [...ids].sort();
  }
  return out;
}

const sorted = (gt: GroundTruth, tenantId: string) => Object.fromEntries(CONTENT_TYPES.map((ct) => [ct, [...gt.available[tenantId]![ct]!].sort()]));

for (const { name, start, live, days, users } of [
  { name: 'a frozen tenant (--no-live), started at an odd millisecond', start: Date.UTC(2026, 4, 13, 22, 47, 31, 123), live: false, days: 8, users: 4 },
  { name: 'a live tenant, started at midnight', start: Date.UTC(2026, 1, 2, 0, 0, 0), live: true, days: 3, users: 40 },
]) {
  test(`ground truth equals what an independent client lists and fetches: ${name}`, { timeout: 120_000 }, async () => {
    const source = createContentSource({ seed: `truth-${name}`, days, users, tenants: 1, scenarios: ['brute-force', 'mass-file-download'], live, startTime: start, duplicateRate: 0.05 });
    const clock = new ManualClock(start);
    const emu = await startEmulator({ source, clock, pageSize: 25, throttlePerMinute: 0 });
    try {
      const tenantId = emu.tenants[0]!.tenantId;
      const auth = { Authorization: `Bearer ${await token(emu)}` };
      for (const ct of CONTENT_TYPES) {
        const res = await fetch(`${emu.url}/api/v1.0/${tenantId}/activity/feed/subscriptions/start?contentType=${ct}&PublisherIdentifier=${tenantId}`, { method: 'POST', headers: auth });
        assert.equal(res.status, 200);
      }
      // The moments: start-up, around the first publishing edges after it, and later ones.
      const edge = start + 2 * SLOT;
      const moments = [start, edge - 1, edge, edge + 1, start + 95 * MINUTE, start + 95 * MINUTE + SLOT - 1, start + 95 * MINUTE + SLOT, start + 13 * HOUR + 7];
      let previous: GroundTruth | null = null;
      let grew = 0;
      for (const moment of moments) {
        clock.set(moment);
        const truth = emu.control.groundTruth(undefined, { times: true });
        assert.equal(truth.asOf, new Date(moment).toISOString());
        assert.deepEqual(await listEverything(emu, moment), sorted(truth, tenantId), `at ${truth.asOf}`);
        // Over HTTP the same answer.
        const http = (await (await fetch(`${emu.url}/_emulator/ground-truth`)).json()) as GroundTruth;
        assert.deepEqual(sorted(http, tenantId), sorted(truth, tenantId));
        // Every record said pending earlier and due by now is served now (none expire within 13 h).
        if (previous) {
          const now = new Set(Object.values(truth.available[tenantId]!).flat());
          const before = new Set(Object.values(previous.available[tenantId]!).flat());
          for (const byId of Object.values(previous.pending![tenantId]!)) {
            for (const [id, when] of Object.entries(byId)) assert.equal(now.has(id), Date.parse(when) <= moment, `${id} pending until ${when}, at ${truth.asOf}`);
          }
          if ([...now].some((id) => !before.has(id))) grew++;
        }
        previous = truth;
      }
      assert.ok(grew >= 2, 'records were published between the moments');

      // Pending records: published at exactly the time said, not a millisecond before.
      const atStart = emu.control.groundTruth(undefined, { times: true, at: start });
      const pending = Object.entries(atStart.pending![tenantId]!).flatMap(([ct, byId]) => Object.entries(byId).map(([id, when]) => ({ ct, id, when: Date.parse(when) })));
      assert.ok(pending.length > 0, 'records of the last hours before start-up are pending at start-up, not available');
      assert.equal(atStart.nextPublished, new Date(Math.min(...pending.map((p) => p.when))).toISOString());
      for (const p of pending.filter((_, i) => i % Math.ceil(pending.length / 20) === 0)) {
        const just = (at: number) => new Set(emu.control.groundTruth(undefined, { at }).available[tenantId]![p.ct]!);
        assert.equal(just(p.when - 1).has(p.id), false, `${p.id} not before ${new Date(p.when).toISOString()}`);
        assert.equal(just(p.when).has(p.id), true, `${p.id} at ${new Date(p.when).toISOString()}`);
      }
      // availableSince: every available record was published at or before now.
      for (const byId of Object.values(atStart.availableSince![tenantId]!)) for (const when of Object.values(byId)) assert.ok(Date.parse(when) <= start);
      assert.equal(Object.values(atStart.availableSince![tenantId]!).reduce((n, m) => n + Object.keys(m).length, 0), Object.values(atStart.available[tenantId]!).flat().length);
      // ?at= and ?times=1 over HTTP.
      const later = (await (await fetch(`${emu.url}/_emulator/ground-truth?at=${encodeURIComponent(new Date(edge).toISOString())}&times=1`)).json()) as GroundTruth;
      assert.equal(later.asOf, new Date(edge).toISOString());
      assert.ok(later.pending && later.availableSince);
    } finally {
      await emu.close();
    }
  });
}
