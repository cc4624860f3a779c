// The alert service on a real DuckDB file: de-duplication within the window, evidence union and count,
// workflow with history, reopen on new evidence, suppression, routing into the outbox.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ManualClock } from '../core/index.js';
import { createAlertService } from './service.js';
import { globEscape, globMatch } from './routing.js';
import { outboxRows } from './outbox.js';
import { hit, T0, tempStore } from './alerts.testing.js';

let ctx: Awaited<ReturnType<typeof tempStore>>;
before(async () => {
  ctx = await tempStore();
});
after(async () => ctx.cleanup());

const config = {
  window: 24 * 3_600_000,
  destinations: [{ name: 'soc' }, { name: 'siem' }],
  routes: [
    { destinations: ['siem'] },
    { destinations: ['soc'], minSeverity: 'high' as const },
  ],
};

test('repeated hits within the window update one alert: count, lastSeen, evidence union', async () => {
  const clock = new ManualClock(T0 + 3_600_000);
  const svc = createAlertService({ store: ctx.store, clock, config });
  const s1 = await svc.ingestHits([hit({ groupKey: 'dedupe', evidence: ['a1', 'a2', 'a3'], count: 3 })]);
  assert.equal(s1.opened, 1);
  assert.equal(s1.queued, 2);
  clock.advance(600_000);
  const s2 = await svc.ingestHits([
    hit({ groupKey: 'dedupe', evidence: ['a3', 'a4'], count: 2, firstSeen: T0 + 2 * 3_600_000, lastSeen: T0 + 3 * 3_600_000, entities: { users: ['alice@contoso.com'], ips: ['198.51.100.1'] } }),
    hit({ groupKey: 'dedupe', evidence: ['a1', 'a2'], count: 2 }),
  ]);
  assert.deepEqual([s2.opened, s2.updated, s2.unchanged, s2.queued], [0, 1, 1, 0]);
  const alerts = await svc.list({ rule: 'm365-brute-force' });
  const mine = alerts.filter((a) => a.groupKey === 'dedupe');
  assert.equal(mine.length, 1);
  const a = mine[0]!;
  assert.equal(a.count, 4);
  assert.deepEqual(a.evidence, ['a1', 'a2', 'a3', 'a4']);
  assert.equal(a.evidenceTotal, 4);
  assert.equal(a.lastSeen, T0 + 3 * 3_600_000);
  assert.deepEqual(a.entities.ips, ['203.0.113.7', '198.51.100.1']);
  const rows = await outboxRows(ctx.store, { alertId: a.id });
  assert.deepEqual(rows.map((r) => r.destination).sort(), ['siem', 'soc']);
});

test('a hit beyond the window opens a second alert; another group key or tenant opens its own', async () => {
  const clock = new ManualClock(T0 + 10 * 86_400_000);
  const svc = createAlertService({ store: ctx.store, clock, config });
  await svc.ingestHits([hit({ groupKey: 'win', evidence: ['w1'] })]);
  await svc.ingestHits([hit({ groupKey: 'win', evidence: ['w2'], firstSeen: T0 + 3 * 86_400_000, lastSeen: T0 + 3 * 86_400_000 })]);
  await svc.ingestHits([hit({ groupKey: 'win2', evidence: ['w1'] }), hit({ groupKey: 'win', tenantId: 'other', evidence: ['w1'] })]);
  const all = (await svc.list()).filter((a) => a.groupKey.startsWith('win'));
  assert.equal(all.length, 4);
});

test('workflow through the service writes full history; show returns it in order', async () => {
  const clock = new ManualClock(T0 + 20 * 86_400_000);
  const svc = createAlertService({ store: ctx.store, clock, config });
  await svc.ingestHits([hit({ groupKey: 'flow', evidence: ['f1'], count: 1 })]);
  const [a] = (await svc.list()).filter((x) => x.groupKey === 'flow');
  await svc.ack(a!.id, 'ann');
  clock.advance(1000);
  await svc.assign(a!.id, 'bob', 'ann');
  await svc.comment(a!.id, 'checking <b>sign-ins</b>', 'bob');
  await svc.resolve(a!.id, { actor: 'bob', comment: 'password reset' });
  await assert.rejects(svc.ack(a!.id, 'ann'), /cannot be acknowledged/);
  const d = await svc.show(a!.id);
  assert.equal(d.alert.status, 'resolved');
  assert.equal(d.alert.assignee, 'bob');
  assert.deepEqual(
    d.history.map((h) => [h.action, h.actor, h.from, h.to]),
    [
      ['open', 'system', null, 'new'],
      ['ack', 'ann', 'new', 'acknowledged'],
      ['assign', 'ann', 'acknowledged', 'acknowledged'],
      ['comment', 'bob', 'acknowledged', 'acknowledged'],
      ['resolve', 'bob', 'acknowledged', 'resolved'],
    ],
  );
  assert.equal(d.history[1]!.at, T0 + 20 * 86_400_000);
  await assert.rejects(svc.show('al-nope'), /No alert has the id/);

  // New evidence reopens a resolved alert and queues revision 2; a false positive absorbs it silently.
  const s = await svc.ingestHits([hit({ groupKey: 'flow', evidence: ['f2'], count: 1 })]);
  assert.equal(s.queued, 2);
  const reopened = await svc.show(a!.id);
  assert.equal(reopened.alert.status, 'new');
  assert.equal(reopened.alert.revision, 2);
  assert.equal(reopened.history.at(-1)!.action, 'reopen');
  await svc.resolve(a!.id, { actor: 'bob', falsePositive: true });
  const s3 = await svc.ingestHits([hit({ groupKey: 'flow', evidence: ['f3'], count: 1 })]);
  assert.deepEqual([s3.updated, s3.queued], [1, 0]);
  const fp = await svc.show(a!.id);
  assert.equal(fp.alert.status, 'false_positive');
  assert.equal(fp.alert.count, 3);
});

test('routing by severity: a medium alert goes to siem only; severity rise notifies again', async () => {
  const clock = new ManualClock(T0 + 30 * 86_400_000);
  const svc = createAlertService({ store: ctx.store, clock, config });
  await svc.ingestHits([hit({ groupKey: 'route', severity: 'medium', evidence: ['r1'] })]);
  const [a] = (await svc.list()).filter((x) => x.groupKey === 'route');
  assert.deepEqual((await outboxRows(ctx.store, { alertId: a!.id })).map((r) => `${r.destination}#${r.revision}`), ['siem#1']);
  await svc.ingestHits([hit({ groupKey: 'route', severity: 'critical', evidence: ['r2'] })]);
  const rows = (await outboxRows(ctx.store, { alertId: a!.id })).map((r) => `${r.destination}#${r.revision}`).sort();
  assert.deepEqual(rows, ['siem#1', 'siem#2', 'soc#2']);
  const after = await svc.show(a!.id);
  assert.equal(after.alert.severity, 'critical');
});

test('a suppressed hit is recorded on its alert but queues nothing; an expired suppression stops matching', async () => {
  const clock = new ManualClock(T0 + 40 * 86_400_000);
  const svc = createAlertService({ store: ctx.store, clock, config });
  await assert.rejects(svc.addSuppression({ reason: 'x', createdBy: 'ann' }), /at least one of --rule/);
  const sup = await svc.addSuppression({ ruleId: 'm365-*', entities: ['users:svc-sync@contoso.com'], reason: 'sync account', createdBy: 'ann', expiresAt: clock.now() + 3_600_000 });
  const s = await svc.ingestHits([hit({ groupKey: 'sup', entities: { users: ['SVC-SYNC@contoso.com'] }, evidence: ['s1'] })]);
  assert.deepEqual([s.opened, s.suppressed, s.queued], [1, 1, 0]);
  const [a] = (await svc.list()).filter((x) => x.groupKey === 'sup');
  assert.equal(a!.suppressedBy, sup.id);
  assert.equal((await outboxRows(ctx.store, { alertId: a!.id })).length, 0);
  assert.equal((await svc.listSuppressions()).some((x) => x.id === sup.id), true);
  clock.advance(2 * 3_600_000);
  assert.equal((await svc.listSuppressions()).some((x) => x.id === sup.id), false);
  const s2 = await svc.ingestHits([hit({ groupKey: 'sup2', entities: { users: ['svc-sync@contoso.com'] }, evidence: ['s2'] })]);
  assert.deepEqual([s2.suppressed, s2.queued], [0, 2]);
  await svc.removeSuppression(sup.id);
  await assert.rejects(svc.removeSuppression(sup.id), /No suppression/);
});

test('a suppression made from an alert matches its values exactly: a `*` in a logged value is no wildcard', async () => {
  // Globs: `*` is any characters; `\\*` and `\\\\` are literal; any other backslash is itself.
  assert.equal(globMatch('m365-*', 'M365-brute'), true);
  assert.equal(globMatch(globEscape('*'), 'report.docx'), false);
  assert.equal(globMatch(globEscape('*'), '*'), true);
  assert.equal(globMatch(globEscape('a\\*b'), 'a\\*b'), true);
  assert.equal(globMatch(globEscape('a\\*b'), 'a\\xxb'), false);
  assert.equal(globMatch('NT AUTHORITY\\SYSTEM', 'nt authority\\system'), true);
  assert.equal(globMatch('x*', 'x\nhidden'), true, 'a wildcard spans a newline in a hostile value');
  const clock = new ManualClock(T0 + 45 * 86_400_000);
  const svc = createAlertService({ store: ctx.store, clock, config });
  const sup = await svc.addSuppression({ ruleId: 'm365-brute-force', entities: [`files:${globEscape('*')}`], reason: 'the file named *', createdBy: 'ann', expiresAt: null });
  const s = await svc.ingestHits([
    hit({ groupKey: 'star', entities: { files: ['*'] }, evidence: ['st1'] }),
    hit({ groupKey: 'other-file', entities: { files: ['payroll.xlsx'] }, evidence: ['st2'] }),
  ]);
  assert.deepEqual([s.opened, s.suppressed], [2, 1], 'only the alert about the file named * is suppressed');
  await svc.removeSuppression(sup.id);
});

test('hostile hit content is bounded before it is stored', async () => {
  const clock = new ManualClock(T0 + 50 * 86_400_000);
  const svc = createAlertService({ store: ctx.store, clock, config });
  const big = 'x'.repeat(1_000_000);
  await svc.ingestHits([hit({ groupKey: big, title: `${big}\r\nBcc: evil@x`, entities: { users: [big, 'a'] }, evidence: ['h1'] })]);
  await svc.ingestHits([hit({ groupKey: big, title: 'again', evidence: ['h2'] })]);
  const mine = (await svc.list()).filter((x) => x.groupKey.startsWith('xxx'));
  assert.equal(mine.length, 1, 'the same long key de-duplicates exactly');
  assert.ok(mine[0]!.title.length <= 300);
  assert.ok(mine[0]!.groupKey.length <= 1000);
  assert.ok(mine[0]!.entities.users![0]!.length <= 512);
});
