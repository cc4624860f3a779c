// State conformance, the rest of the port: suppressions, detection watermarks and evidence, identities,
// report runs (a due time fires once, even when schedulers race) and collector state.

import assert from 'node:assert/strict';
import type { ReportRunRecord, SuppressionRecord } from '../types.js';
import type { StateCheck } from './state.js';
import { onTwoHandles } from './state.js';
import { BASE_TIME, HOSTILE, HOUR, MINUTE } from './state-rows.js';

const suppression = (id: string, createdAt: number, expiresAt: number | null, o: Partial<SuppressionRecord> = {}): SuppressionRecord => ({
  id,
  ruleId: 'rule-a',
  tenantId: null,
  entities: ['user1@contoso.com', HOSTILE[2]!],
  reason: 'known scanner',
  createdBy: 'analyst',
  createdAt,
  expiresAt,
  ...o,
});

export const otherChecks: StateCheck[] = [
  {
    title: 'suppressions: listed oldest first, expired ones left out when asked at a time, removed once',
    async run({ state }) {
      const a = suppression('sup-a', BASE_TIME, null, { ruleId: null, tenantId: 'tenant-a', reason: HOSTILE.join(' ') });
      const b = suppression('sup-b', BASE_TIME + 1, BASE_TIME + HOUR);
      const c = suppression('sup-c', BASE_TIME + 1, BASE_TIME + 2 * HOUR);
      for (const s of [c, b, a]) await state.suppressions.insert(s);
      assert.deepEqual(await state.suppressions.list(), [a, b, c]);
      assert.deepEqual((await state.suppressions.list(BASE_TIME + HOUR)).map((s) => s.id), ['sup-a', 'sup-c'], 'expiry is exclusive');
      assert.deepEqual((await state.suppressions.list(BASE_TIME + 3 * HOUR)).map((s) => s.id), ['sup-a']);
      assert.equal(await state.suppressions.remove('sup-c', BASE_TIME + 5), true);
      assert.equal(await state.suppressions.remove('sup-c', BASE_TIME + 6), false);
      assert.equal(await state.suppressions.remove('sup-none', BASE_TIME), false);
      assert.deepEqual((await state.suppressions.list()).map((s) => s.id), ['sup-a', 'sup-b']);
    },
  },
  {
    title: 'detection watermarks: created, moved, read one or all; reset forgets them',
    async run({ state }) {
      assert.equal(await state.detection.watermark('rule-a'), null);
      await state.detection.setWatermarks([], BASE_TIME, BASE_TIME);
      await state.detection.setWatermarks(['rule-a', 'rule-b', 'identities~learn'], BASE_TIME, BASE_TIME);
      await state.detection.setWatermarks(['rule-b', 'rule-c'], BASE_TIME + 5, BASE_TIME + 5);
      assert.equal(await state.detection.watermark('rule-a'), BASE_TIME);
      assert.equal(await state.detection.watermark('rule-b'), BASE_TIME + 5);
      assert.deepEqual(
        [...(await state.detection.watermarks())].sort(),
        [
          ['identities~learn', BASE_TIME],
          ['rule-a', BASE_TIME],
          ['rule-b', BASE_TIME + 5],
          ['rule-c', BASE_TIME + 5],
        ],
      );
      // A watermark may move back (a rule re-run from an earlier point).
      await state.detection.setWatermarks(['rule-c'], BASE_TIME - 1, BASE_TIME + 6);
      assert.equal(await state.detection.watermark('rule-c'), BASE_TIME - 1);
      await state.detection.recordEvidence('rule-a', [{ tenantId: 't', eventId: 'e', groupKey: 'g' }], BASE_TIME);
      await state.detection.reset();
      assert.equal((await state.detection.watermarks()).size, 0);
      assert.deepEqual(await state.detection.knownEvidence('rule-a', ['e']), []);
    },
  },
  {
    title: 'detection evidence: recorded once per rule, tenant and event, found among tens of thousands of ids',
    async run({ state }) {
      const many = Array.from({ length: 25_000 }, (_, i) => ({ tenantId: i % 2 === 0 ? 'tenant-a' : 'tenant-b', eventId: `ev-${i}`, groupKey: `g${i % 7}` }));
      await state.detection.recordEvidence('rule-a', many, BASE_TIME);
      await state.detection.recordEvidence('rule-a', [...many.slice(0, 10), { tenantId: 'tenant-c', eventId: 'ev-0', groupKey: 'g' }], BASE_TIME + 1);
      // One tenant and group key with many Ids, most known already, and one new (DuckDB: a statement of its own).
      const pair = many.filter((e) => e.tenantId === 'tenant-a' && e.groupKey === 'g0');
      await state.detection.recordEvidence('rule-a', [...pair, { tenantId: 'tenant-a', eventId: 'ev-new', groupKey: 'g0' }], BASE_TIME + 2);
      await state.detection.recordEvidence('rule-b', [{ tenantId: 'tenant-a', eventId: HOSTILE[2]!, groupKey: HOSTILE[0]! }], BASE_TIME);
      await state.detection.recordEvidence('rule-b', [], BASE_TIME);
      // Ids holding the record separator U+001E, and a hostile id beside plain ones (DuckDB sends a list as one text).
      await state.detection.recordEvidence('rule-d', [{ tenantId: 't', eventId: 'rec\u001esep', groupKey: 'g' }, { tenantId: 't', eventId: HOSTILE[0]!, groupKey: 'g' }, { tenantId: 't', eventId: 'plain', groupKey: 'g\u001e' }], BASE_TIME);
      assert.deepEqual((await state.detection.knownEvidence('rule-d', ['rec', 'sep', 'rec\u001esep', HOSTILE[0]!, 'plain', 'x'])).map((k) => k.eventId).sort(), ['plain', 'rec\u001esep', HOSTILE[0]!].sort());
      assert.deepEqual((await state.detection.knownEvidence('rule-d', ['plain', HOSTILE[2]!])).map((k) => k.eventId), ['plain']);
      const probe = [...many.map((e) => e.eventId), 'ev-new', 'ev-none'];
      const known = await state.detection.knownEvidence('rule-a', probe);
      assert.equal(known.length, 25_002, 'ev-0 is known in two tenants, ev-new once, nothing twice');
      assert.deepEqual(known.filter((k) => k.eventId === 'ev-0').map((k) => k.tenantId).sort(), ['tenant-a', 'tenant-c']);
      assert.deepEqual(await state.detection.knownEvidence('rule-b', ['ev-1', HOSTILE[2]!]), [{ tenantId: 'tenant-a', eventId: HOSTILE[2]! }]);
      assert.deepEqual(await state.detection.knownEvidence('rule-c', probe), []);
    },
  },
  {
    title: 'identities: added once per tenant and value, relabelled when people merge, made ambiguous',
    async run({ state }) {
      const add = (value: string, personId: string, kind = 'upn') => ({ value, kind, personId });
      await state.identities.apply('tenant-a', { add: [add('alice@contoso.com', 'p1'), add('alice', 'p1', 'alias'), add('bob@contoso.com', 'p2'), add(HOSTILE[2]!, 'p2', 'display')], relabel: [], ambiguous: [] }, BASE_TIME);
      await state.identities.apply('tenant-b', { add: [add('alice@contoso.com', 'q9')], relabel: [], ambiguous: [] }, BASE_TIME);
      // A known value keeps its person; merging p2 into p1 relabels all of p2's identifiers in the tenant only.
      await state.identities.apply('tenant-a', { add: [add('alice', 'p7', 'alias'), add('a.smith', 'p1', 'alias')], relabel: [{ from: 'p2', to: 'p1' }], ambiguous: [] }, BASE_TIME + 1);
      assert.equal(await state.identities.personOf('tenant-a', 'alice'), 'p1');
      assert.equal(await state.identities.personOf('tenant-a', 'bob@contoso.com'), 'p1');
      assert.equal(await state.identities.personOf('tenant-a', HOSTILE[2]!), 'p1');
      assert.equal(await state.identities.personOf('tenant-b', 'alice@contoso.com'), 'q9');
      assert.equal(await state.identities.personOf('tenant-a', 'carol'), null);
      await state.identities.apply('tenant-a', { add: [], relabel: [], ambiguous: ['alice'] }, BASE_TIME + 2);
      assert.equal(await state.identities.personOf('tenant-a', 'alice'), '', 'ambiguous resolves to no one');
      const many = Array.from({ length: 1200 }, (_, i) => add(`u${i}@contoso.com`, `p${i}`));
      await state.identities.apply('tenant-c', { add: many, relabel: [], ambiguous: [] }, BASE_TIME);
      const found = await state.identities.lookup('tenant-c', [...many.map((m) => m.value), 'nobody']);
      assert.equal(found.length, 1200);
      assert.deepEqual(found.find((f) => f.value === 'u7@contoso.com'), { value: 'u7@contoso.com', kind: 'upn', personId: 'p7' });
      assert.deepEqual((await state.identities.lookup('tenant-a', ['alice', 'a.smith'])).sort((x, y) => x.value.localeCompare(y.value)), [
        { value: 'a.smith', kind: 'alias', personId: 'p1' },
        { value: 'alice', kind: 'alias', personId: '' },
      ]);
      assert.deepEqual(await state.identities.lookup('tenant-a', []), []);
    },
  },
  {
    title: 'report runs: a due time is claimed once; progress saved; unfinished and retries found; baselines left out of the list',
    async run({ state }) {
      const claim = (dueAt: number, status: ReportRunRecord['status'] = 'running', schedule = 'daily') => state.reportRuns.claim({ schedule, dueAt, report: 'signins', status, at: dueAt + 1 });
      assert.equal(await state.reportRuns.lastDue('daily'), null);
      assert.equal(await claim(BASE_TIME - 24 * HOUR, 'baseline'), true);
      assert.equal(await claim(BASE_TIME), true);
      assert.equal(await claim(BASE_TIME), false, 'a due time fires once');
      assert.equal(await claim(BASE_TIME + HOUR, 'running', 'weekly'), true);
      assert.equal(await state.reportRuns.lastDue('daily'), BASE_TIME);
      const run: ReportRunRecord = {
        schedule: 'daily',
        dueAt: BASE_TIME,
        report: 'signins',
        status: 'retrying',
        periodFrom: BASE_TIME - 24 * HOUR,
        periodTo: BASE_TIME,
        files: [{ format: 'html', path: '/reports/a.html', filename: 'a.html', mediaType: 'text/html' }],
        deliveries: { 'soc-email': { status: 'failed', attempts: 2, error: HOSTILE[0]! }, hook: { status: 'delivered', attempts: 1, deliveredAt: '2026-01-05T12:00:00.000Z' } },
        attempts: 2,
        nextAttemptAt: BASE_TIME + 30 * MINUTE,
        error: 'SMTP 451',
        startedAt: BASE_TIME + 1,
        finishedAt: null,
      };
      await state.reportRuns.save(run);
      assert.deepEqual((await state.reportRuns.list({ schedule: 'daily' }))[0], run);
      assert.equal(await state.reportRuns.nextRetry(), BASE_TIME + 30 * MINUTE);
      assert.deepEqual((await state.reportRuns.unfinished(BASE_TIME + 29 * MINUTE)).map((r) => r.schedule), ['weekly'], 'a retry not yet due waits');
      assert.deepEqual((await state.reportRuns.unfinished(BASE_TIME + 30 * MINUTE)).map((r) => r.schedule), ['daily', 'weekly'], 'oldest due first');
      await state.reportRuns.save({ ...run, status: 'done', nextAttemptAt: null, error: null, finishedAt: BASE_TIME + HOUR });
      assert.equal(await state.reportRuns.nextRetry(), null);
      assert.deepEqual((await state.reportRuns.list()).map((r) => `${r.schedule}@${r.dueAt - BASE_TIME}:${r.status}`), [`weekly@${HOUR}:running`, 'daily@0:done']);
      assert.deepEqual((await state.reportRuns.list({ limit: 1 })).map((r) => r.schedule), ['weekly']);
      const [pristine] = await state.reportRuns.list({ schedule: 'weekly' });
      assert.deepEqual(pristine, { schedule: 'weekly', dueAt: BASE_TIME + HOUR, report: 'signins', status: 'running', periodFrom: null, periodTo: null, files: [], deliveries: {}, attempts: 0, nextAttemptAt: null, error: null, startedAt: BASE_TIME + HOUR + 1, finishedAt: null });
    },
  },
  {
    title: 'report runs: schedulers racing for one due time: exactly one claims it',
    async run(h) {
      const wins = await onTwoHandles(h, (s) => s.reportRuns.claim({ schedule: 'daily', dueAt: BASE_TIME, report: 'signins', status: 'running', at: BASE_TIME }), 12);
      assert.equal(wins.filter(Boolean).length, 1);
    },
  },
  {
    title: 'collector state: one row per tenant and content type; a pass without success keeps the last success',
    async run({ state }) {
      assert.deepEqual(await state.collector.load(), []);
      await state.collector.save(
        [
          { tenantId: 'tenant-a', contentType: 'Audit.Exchange', subscription: 'enabled', lastError: null, lastSuccess: BASE_TIME },
          { tenantId: 'tenant-a', contentType: 'Audit.General', subscription: 'disabled', lastError: { code: 'AF20022', message: HOSTILE[1]!, at: BASE_TIME + 1 }, lastSuccess: null },
        ],
        BASE_TIME + 2,
      );
      await state.collector.save([{ tenantId: 'tenant-a', contentType: 'Audit.Exchange', subscription: 'enabled', lastError: { code: 'http_503', message: 'throttled', at: BASE_TIME + 9 }, lastSuccess: null }], BASE_TIME + 10);
      await state.collector.save([], BASE_TIME + 11);
      const rows = (await state.collector.load()).sort((x, y) => x.contentType.localeCompare(y.contentType));
      assert.deepEqual(rows, [
        { tenantId: 'tenant-a', contentType: 'Audit.Exchange', subscription: 'enabled', lastError: { code: 'http_503', message: 'throttled', at: BASE_TIME + 9 }, lastSuccess: BASE_TIME, updatedAt: BASE_TIME + 10 },
        { tenantId: 'tenant-a', contentType: 'Audit.General', subscription: 'disabled', lastError: { code: 'AF20022', message: HOSTILE[1]!, at: BASE_TIME + 1 }, lastSuccess: null, updatedAt: BASE_TIME + 2 },
      ]);
      await state.collector.save([{ tenantId: 'tenant-a', contentType: 'Audit.Exchange', subscription: 'enabled', lastError: null, lastSuccess: BASE_TIME + 20 }], BASE_TIME + 20);
      const [ex] = (await state.collector.load()).filter((r) => r.contentType === 'Audit.Exchange');
      assert.deepEqual({ lastError: ex?.lastError, lastSuccess: ex?.lastSuccess }, { lastError: null, lastSuccess: BASE_TIME + 20 });
    },
  },
];
