// First-seen rules (type: first_seen) against a real DuckDB file: the first sign-in from a country new
// for the user alerts after the learning period, not during it and not the second time; a backfill
// learns; each-field novelty; history expiry; the state is kept in the state port, and each incremental
// pass reads only the records ingested since the watermark. Countries come from the GeoIP enrichment
// (8.8.8.8 US, 81.2.69.142 GB, 1.0.16.1 JP in GeoLite2).

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ManualClock, silentLogger } from '../../core/index.js';
import { createEnricher, type Enricher, type EventRow } from '../../records/index.js';
import { openDuckDbStore, type Store } from '../../store/index.js';
import { parseRuleText } from '../sigma/parse.js';
import type { DetectionHit } from '../types.js';
import { createDetector } from './detector.js';
import { newCountryRules, signInRecord } from './fixtures.testing.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
let dir: string;
let store: Store;
let enricher: Enricher;
let tenantSeq = 0;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aw-baseline-'));
  store = await openDuckDbStore({ path: join(dir, 'store.duckdb') });
  await store.migrate();
  enricher = await createEnricher();
});

after(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

function rules(text: string) {
  const p = parseRuleText(text, 'test.yml');
  assert.deepEqual(p.errors.map((e) => e.display()), []);
  return p.rules;
}

const signIn = (tenant: string, at: number, ip: string, user = 'adele@contoso.com', agent = 'Mozilla/5.0 (Windows NT 10.0)'): EventRow =>
  enricher.enrich(signInRecord(tenant, at, user, { Operation: 'UserLoggedIn', ErrorNumber: '0', ResultStatus: 'Success', ClientIP: ip, ExtendedProperties: [{ Name: 'UserAgent', Value: agent }] }));

/** Ingest time only grows in a store (one commit after another), across the tests of the file too. */
let lastIngest = 0;
async function ingest(tenant: string, rows: EventRow[], at: number): Promise<void> {
  lastIngest = Math.max(at, lastIngest + 1);
  await store.importRecords({ tenantId: tenant, sourceId: 'import:test', rows, rejects: [], ingestedAt: lastIngest });
}

const mine = (hits: DetectionHit[], t: string) => hits.filter((h) => h.tenantId === t);

test('first_seen: the first sign-in from a new country alerts after the learning period, not during it, not the second time', async () => {
  const t = `bt${++tenantSeq}`;
  const clock = new ManualClock(T0);
  const det = createDetector({ store, clock, logger: silentLogger, rules: rules(newCountryRules()) });
  await ingest(t, [signIn(t, T0, '8.8.8.8')], T0);
  assert.deepEqual(mine(await det.runIncremental(), t), []);
  // During learning (day 1): Great Britain is new for the user, but learned.
  clock.set(T0 + DAY);
  const learned = signIn(t, T0 + DAY, '81.2.69.142');
  await ingest(t, [learned], T0 + DAY);
  assert.deepEqual(mine(await det.runIncremental(), t), [], 'no alert during learning');
  // After learning (day 3): Great Britain is known now; Japan is new.
  clock.set(T0 + 3 * DAY);
  const gb = signIn(t, T0 + 3 * DAY, '81.2.69.143');
  const jp = signIn(t, T0 + 3 * DAY + 60_000, '1.0.16.1');
  await ingest(t, [gb, jp], T0 + 3 * DAY);
  const hits = mine(await det.runIncremental(), t);
  assert.equal(hits.length, 1);
  assert.equal(hits[0]!.ruleId, 'new-country');
  assert.deepEqual(hits[0]!.evidence, [jp.id]);
  assert.equal(hits[0]!.groupKey, 'UserId=adele@contoso.com|ClientIP.Country=JP');
  assert.deepEqual(hits[0]!.entities.users, ['adele@contoso.com']);
  assert.deepEqual(hits[0]!.entities.ips, ['1.0.16.1']);
  // The second sign-in from Japan (a later pass) is known.
  clock.set(T0 + 4 * DAY);
  await ingest(t, [signIn(t, T0 + 4 * DAY, '1.0.16.2')], T0 + 4 * DAY);
  assert.deepEqual(mine(await det.runIncremental(), t), [], 'the second sign-in from Japan is not new');
  // Another user signing in from Japan is new for that user.
  await ingest(t, [signIn(t, T0 + 4 * DAY + 1000, '1.0.16.1', 'bob@contoso.com')], T0 + 4 * DAY + 1);
  assert.deepEqual(mine(await det.runIncremental(), t).map((h) => h.groupKey), ['UserId=bob@contoso.com|ClientIP.Country=JP']);
  // The state is in the state port: the user's terms, and the tenant's learning end.
  const terms = await store.state.baselines.terms('new-country', t, ['adele@contoso.com']);
  assert.deepEqual(terms.map((x) => x.term).sort(), ['["GB"]', '["JP"]', '["US"]']);
  assert.equal((await store.state.baselines.learningEnds('new-country')).get(t), T0 + 2 * DAY);
});

test('first_seen: a backfill learns the values of its learning period; hunt over the same data finds the same first sighting', async () => {
  const t = `bt${++tenantSeq}`;
  const clock = new ManualClock(T0 + 10 * DAY);
  const det = createDetector({ store, clock, logger: silentLogger, rules: rules(newCountryRules('new-backfill')) });
  // Ten days of history arrive at once: US and GB in the first two days, GB again on day 5, JP on day 6.
  const jp = signIn(t, T0 + 6 * DAY, '1.0.16.1');
  await ingest(t, [signIn(t, T0, '8.8.8.8'), signIn(t, T0 + DAY, '81.2.69.142'), signIn(t, T0 + 5 * DAY, '81.2.69.142'), jp, signIn(t, T0 + 7 * DAY, '1.0.16.1')], T0 + 10 * DAY);
  const hits = mine(await det.runIncremental(), t);
  assert.deepEqual(hits.map((h) => h.evidence), [[jp.id]]);
  const hunted = mine(await det.hunt({ from: 0, to: T0 + 30 * DAY }), t);
  assert.deepEqual(hunted.map((h) => h.evidence), [[jp.id]]);
  assert.deepEqual(mine(await det.hunt({ from: T0 + 7 * DAY, to: T0 + 30 * DAY }), t), [], 'a range after the first sighting holds no new value');
});

test('first_seen: new: each alerts only when every field is new (a traveller on a known phone is not); expiry after the history', async () => {
  const t = `bt${++tenantSeq}`;
  const clock = new ManualClock(T0);
  const text = newCountryRules('new-each').replace('fields: [ClientIP.Country]', 'fields: [ClientIP.Country, UserAgent]\n  new: each').replace('history: 30d', 'history: 10d');
  const det = createDetector({ store, clock, logger: silentLogger, rules: rules(text) });
  await ingest(t, [signIn(t, T0, '8.8.8.8', 'adele@contoso.com', 'phone'), signIn(t, T0 + 1000, '8.8.8.8', 'adele@contoso.com', 'laptop')], T0);
  await det.runIncremental();
  clock.set(T0 + 3 * DAY);
  const travel = signIn(t, T0 + 3 * DAY, '81.2.69.142', 'adele@contoso.com', 'phone');
  const attacker = signIn(t, T0 + 3 * DAY + 5000, '1.0.16.1', 'adele@contoso.com', 'python-requests/2.31');
  const newTool = signIn(t, T0 + 3 * DAY + 9000, '8.8.8.8', 'adele@contoso.com', 'curl/8.0');
  await ingest(t, [travel, attacker, newTool], T0 + 3 * DAY);
  const hits = mine(await det.runIncremental(), t);
  assert.deepEqual(hits.map((h) => h.evidence), [[attacker.id]], 'new country and new agent together; a new country on a known agent, or a new agent at home, is not');
  // Twenty days later the US and the laptop have expired (history 10d): seen again, they are new again.
  clock.set(T0 + 23 * DAY);
  const back = signIn(t, T0 + 23 * DAY, '8.8.4.4', 'adele@contoso.com', 'laptop');
  await ingest(t, [signIn(t, T0 + 22 * DAY, '1.0.16.1', 'adele@contoso.com', 'python-requests/2.31')], T0 + 22 * DAY);
  await det.runIncremental();
  const expired = (await store.state.baselines.terms('new-each', t, ['adele@contoso.com'])).map((x) => x.term).sort();
  assert.deepEqual(expired, ['[0,"JP"]', '[1,"python-requests/2.31"]'], 'terms last seen before the history window are dropped');
  await ingest(t, [back], T0 + 23 * DAY);
  assert.deepEqual(mine(await det.runIncremental(), t).map((h) => h.evidence), [[back.id]]);
});

test('first_seen: an incremental pass reads only the new records (the rule query sees the watermark range)', async () => {
  const t = `bt${++tenantSeq}`;
  const clock = new ManualClock(T0);
  const det = createDetector({ store, clock, logger: silentLogger, rules: rules(newCountryRules('new-watermark')) });
  await ingest(t, [signIn(t, T0, '8.8.8.8')], T0);
  await det.runIncremental();
  const seen: string[] = [];
  const query = store.query.bind(store);
  store.query = (async (q) => {
    const { text } = q.render(store.dialect);
    if (text.includes('argMin')) seen.push(text);
    return query(q);
  }) as Store['query'];
  try {
    clock.set(T0 + 3 * DAY);
    await ingest(t, [signIn(t, T0 + 3 * DAY, '1.0.16.1')], T0 + 3 * DAY);
    assert.equal(mine(await det.runIncremental(), t).length, 1);
  } finally {
    store.query = query;
  }
  assert.equal(seen.length, 1, 'one pairs query per pass');
  assert.match(seen[0]!, /"ingested_at" > /, 'bounded by the watermark');
});

test('first_seen: mistakes are refused with the line and the fix', () => {
  const bad = parseRuleText(newCountryRules().replace('history: 30d', 'history: a month').replace('  learning: 2d\n', '  learning: 2d\n  timespan: 5m\n'), 'bad.yml');
  const messages = bad.errors.map((e) => e.display());
  assert.ok(messages.some((m) => /bad\.yml:\d+:\d+.*correlation\.history.*not a duration/.test(m)), messages.join('\n'));
  assert.ok(messages.some((m) => /correlation\.timespan.*first_seen has no timespan/.test(m)), messages.join('\n'));
  const noFields = parseRuleText(newCountryRules().replace('  fields: [ClientIP.Country]\n', ''), 'nf.yml');
  assert.match(noFields.errors[0]!.display(), /missing required key "fields"/);
  const unknownField = createDetectorErrors(newCountryRules().replace('fields: [ClientIP.Country]', 'fields: [ClientIP.Contry]'));
  assert.match(unknownField, /correlation\.fields\.ClientIP\.Contry/);
});

function createDetectorErrors(text: string): string {
  const det = createDetector({ store, clock: new ManualClock(T0), logger: silentLogger, rules: rules(text) });
  return det.failures().map((f) => `${f.location} ${f.message}`).join('\n');
}

test('first_seen: new-entity: learn — an account never seen sets its baseline with its first sign-in, then alerts on what is new for it', async () => {
  const t = `bt${++tenantSeq}`;
  const clock = new ManualClock(T0);
  const det = createDetector({ store, clock, logger: silentLogger, rules: rules(newCountryRules('new-entity').replace('  history: 30d', '  new-entity: learn\n  history: 30d')) });
  await ingest(t, [signIn(t, T0, '8.8.8.8')], T0);
  await det.runIncremental();
  clock.set(T0 + 3 * DAY);
  await ingest(t, [signIn(t, T0 + 3 * DAY, '81.2.69.142', 'newhire@contoso.com'), signIn(t, T0 + 3 * DAY + 1000, '1.0.16.1', 'adele@contoso.com')], T0 + 3 * DAY);
  assert.deepEqual(mine(await det.runIncremental(), t).map((h) => h.groupKey), ['UserId=adele@contoso.com|ClientIP.Country=JP'], 'the new account\'s first country is learned; the known account\'s new one alerts');
  clock.set(T0 + 4 * DAY);
  await ingest(t, [signIn(t, T0 + 4 * DAY, '1.0.16.1', 'newhire@contoso.com')], T0 + 4 * DAY);
  assert.deepEqual(mine(await det.runIncremental(), t).map((h) => h.groupKey), ['UserId=newhire@contoso.com|ClientIP.Country=JP']);
});
