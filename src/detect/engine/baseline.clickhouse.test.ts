// First-seen rules on the scale-out store: events in a real ClickHouse (Debian's 18.16 here: no CTE, no
// window function, no DateTime64) and the baseline state in a real PostgreSQL, both started as nobody in
// temporary folders. The pass's pairs query runs on ClickHouse; terms and the learning period live in
// PostgreSQL (migration 60); the first sign-in from a new country after learning alerts once.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Secret } from '../../core/index.js';
import { createEnricher } from '../../records/index.js';
import { openStore, type Store } from '../../store/index.js';
import { clickhouseSkipReason, startTestClickHouse, type TestClickHouse } from '../../store/clickhouse/server.testing.js';
import { startTestPostgres, type TestPostgres } from '../../store/postgres/server.testing.js';
import { compileRules, DETECT_DIALECTS, type CompiledBaseline } from '../compile/index.js';
import { parseRuleText } from '../sigma/parse.js';
import { createBaselinePass } from './baseline.js';
import { newCountryRules, signInRecord } from './fixtures.testing.js';

const absent = clickhouseSkipReason();
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
let ch: TestClickHouse;
let pg: TestPostgres;
if (!absent) {
  before(async () => {
    [ch, pg] = await Promise.all([startTestClickHouse(), startTestPostgres()]);
  });
  after(async () => {
    await Promise.all([ch?.stop(), pg?.stop()]);
  });
}

test('first_seen on ClickHouse events with PostgreSQL state: learned during learning, alerted once after it', { skip: absent }, async () => {
  const [database, stateDb] = await Promise.all([ch.createDatabase(), pg.createDatabase()]);
  const store: Store = await openStore({
    engine: 'clickhouse',
    clickhouse: { url: ch.url, database, user: ch.user, password: new Secret(ch.password) },
    stateStore: { engine: 'postgres', connection: { host: pg.host, port: pg.port, user: pg.user, password: new Secret(pg.password), database: stateDb } },
  });
  try {
    const enricher = await createEnricher();
    const parsed = parseRuleText(newCountryRules('ch-new-country'), 'test.yml');
    const { compiled, errors } = compileRules(parsed.rules, DETECT_DIALECTS.clickhouse);
    assert.deepEqual(errors, []);
    const rule = compiled.find((c): c is CompiledBaseline => c.kind === 'baseline')!;
    const signIn = (at: number, ip: string) => enricher.enrich(signInRecord('t1', at, 'adele@contoso.com', { Operation: 'UserLoggedIn', ErrorNumber: '0', ResultStatus: 'Success', ClientIP: ip }));
    let after = -1;
    const pass = async (now: number, rows: ReturnType<typeof signIn>[], ingestedAt: number) => {
      await store.importRecords({ tenantId: 't1', sourceId: 'import:test', rows, rejects: [], ingestedAt });
      const upTo = (await store.commitWatermark())!;
      const p = createBaselinePass({ store, d: DETECT_DIALECTS.clickhouse, now, guard: () => null });
      const hits = await p.hits(rule, { after, upTo });
      await p.commit();
      after = upTo;
      return hits;
    };
    assert.deepEqual(await pass(T0, [signIn(T0, '8.8.8.8')], T0 + 1000), []);
    assert.deepEqual(await pass(T0 + DAY, [signIn(T0 + DAY, '81.2.69.142')], T0 + DAY + 1000), [], 'learned during learning');
    const jp = signIn(T0 + 3 * DAY, '1.0.16.1');
    const hits = await pass(T0 + 3 * DAY, [signIn(T0 + 3 * DAY - 60_000, '81.2.69.142'), jp], T0 + 3 * DAY + 1000);
    assert.deepEqual(hits.map((h) => [h.groupKey, h.evidence]), [['UserId=adele@contoso.com|ClientIP.Country=JP', [jp.id]]]);
    assert.deepEqual(await pass(T0 + 4 * DAY, [signIn(T0 + 4 * DAY, '1.0.16.2')], T0 + 4 * DAY + 1000), [], 'the second time is known');
    assert.deepEqual((await store.state.baselines.terms('ch-new-country', 't1', ['adele@contoso.com'])).map((t) => t.term).sort(), ['["GB"]', '["JP"]', '["US"]']);
    assert.equal((await store.state.baselines.learningEnds('ch-new-country')).get('t1'), T0 + 2 * DAY);
  } finally {
    await store.close();
  }
});
