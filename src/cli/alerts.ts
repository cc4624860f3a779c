// auditwatch alerts: list, show and work on alerts (ack, assign, comment, resolve, reopen), and manage
// suppression (allow-list) rules. Thin: parses options, calls the alert service, prints.

import { userInfo } from 'node:os';
import { AppError, parseDuration, safeJson, safeLine, systemClock } from '../core/index.js';
import { ALERT_STATUSES, createAlertService, isSeverity, toPayload, type AlertService, type AlertStatus } from '../alerts/index.js';
import { parseOptions } from './command.js';
import { io } from './shared/io.js';
import { cliLogger, CONFIG_OPTION, loadCliConfig, openConfiguredStore } from './shared/context.js';
import { jsonLines, parseFormat, table } from './shared/format.js';

const HELP = `Usage: auditwatch alerts <action> [options]   (every action takes --config FILE)

  list [--status S,…] [--severity MIN] [--rule ID] [--tenant ID] [--limit N] [--format table|json]
  show ID [--format table|json]
  ack ID                       acknowledge
  assign ID USER               (USER "-" unassigns)
  comment ID TEXT
  resolve ID [--false-positive] [--comment TEXT]
  reopen ID [--comment TEXT]
  suppress add [--rule ID] [--tenant ID] [--entity [KIND:]VALUE]… --reason TEXT [--expires 7d]
  suppress list [--all] [--format table|json]
  suppress remove SUPPRESSION-ID

The actor written to an alert's history is --as NAME, or the OS user. With --format json, list prints
one JSON object per alert: rule, title, severity, entities, firstSeen, lastSeen, count, evidence, id,
status, assignee (and tags, tenantId, evidenceTotal, revision, suppressedBy).`;

const OPTIONS = {
  ...CONFIG_OPTION,
  status: { type: 'string' },
  severity: { type: 'string' },
  rule: { type: 'string' },
  tenant: { type: 'string' },
  limit: { type: 'string' },
  format: { type: 'string' },
  as: { type: 'string' },
  comment: { type: 'string' },
  'false-positive': { type: 'boolean', default: false },
  entity: { type: 'string', multiple: true },
  reason: { type: 'string' },
  expires: { type: 'string' },
  all: { type: 'boolean', default: false },
} as const;

function need(value: string | undefined, what: string): string {
  if (value === undefined || value === '') throw new AppError('usage', `Give ${what}; see "auditwatch alerts --help".`);
  return value;
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseOptions(args, OPTIONS, HELP, true);
  if (!parsed) return 0;
  const v = parsed.values;
  const [action, ...rest] = parsed.positionals;
  if (!action) throw new AppError('usage', 'Give an action: list, show, ack, assign, comment, resolve, reopen or suppress; see --help.');
  const config = loadCliConfig(v);
  const store = await openConfiguredStore(config);
  try {
    const service = createAlertService({ store, clock: systemClock, logger: cliLogger(config, { command: 'alerts' }), config: config.alerts });
    const actor = safeLine(v.as ?? userInfo().username, 100);
    return await act(service, action, rest, v, actor);
  } finally {
    await store.close();
  }
}

type Values = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K] extends { multiple: true } ? string[] : (typeof OPTIONS)[K] extends { type: 'boolean' } ? boolean : string };

async function act(service: AlertService, action: string, rest: string[], v: Values, actor: string): Promise<number> {
  const out = (s: string) => io.out(s);
  switch (action) {
    case 'list': {
      const format = parseFormat(v.format, ['table', 'json']);
      const status = v.status?.split(',').map((s) => s.trim()) as AlertStatus[] | undefined;
      for (const s of status ?? []) if (!ALERT_STATUSES.includes(s)) throw new AppError('usage', `--status must be among ${ALERT_STATUSES.join(', ')}.`);
      if (v.severity !== undefined && !isSeverity(v.severity)) throw new AppError('usage', '--severity must be informational, low, medium, high or critical.');
      const limit = v.limit === undefined ? 1000 : Number(v.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new AppError('usage', '--limit must be a whole number of at least 1.');
      const alerts = await service.list({
        ...(status ? { status } : {}),
        ...(v.severity && isSeverity(v.severity) ? { severity: v.severity } : {}),
        ...(v.rule ? { rule: v.rule } : {}),
        ...(v.tenant ? { tenant: v.tenant } : {}),
        limit,
      });
      if (format === 'json') out(jsonLines(alerts.map(toPayload)));
      else if (alerts.length === 0) out('(no alerts)\n');
      else
        out(
          table(
            alerts.map((a) => ({
              id: a.id,
              severity: a.severity,
              status: a.suppressedBy ? `${a.status} (suppressed)` : a.status,
              rule: a.ruleId,
              title: a.title,
              users: (a.entities.users ?? []).join(', '),
              count: a.count,
              lastSeen: new Date(a.lastSeen).toISOString().slice(0, 19).replace('T', ' '),
              assignee: a.assignee,
            })),
          ),
        );
      return 0;
    }
    case 'show': {
      const d = await service.show(need(rest[0], 'the alert id'));
      if (parseFormat(v.format, ['table', 'json']) === 'json') {
        out(`${safeJson({ ...toPayload(d.alert), groupKey: d.alert.groupKey, history: d.history.map((h) => ({ ...h, at: new Date(h.at).toISOString() })) })}\n`);
        return 0;
      }
      const p = toPayload(d.alert);
      const lines = [
        `${p.id}  ${p.severity.toUpperCase()}  ${p.status}${p.assignee ? `  assigned to ${safeLine(p.assignee, 100)}` : ''}${p.suppressedBy ? `  suppressed by ${p.suppressedBy}` : ''}`,
        `  ${safeLine(p.title, 300)}`,
        `  rule ${safeLine(p.rule)}  tenant ${safeLine(p.tenant)}  count ${p.count}  first ${p.firstSeen}  last ${p.lastSeen}`,
        ...Object.entries(p.entities).map(([k, vals]) => `  ${k}: ${(vals as string[]).slice(0, 20).map((x) => safeLine(x, 120)).join(', ')}`),
        `  tags: ${p.tags.map((t) => safeLine(t, 80)).join(', ')}`,
        `  evidence (${p.evidenceTotal}): ${p.evidence.slice(0, 20).map((x) => safeLine(x, 80)).join(', ')}${p.evidenceTotal > 20 ? ', …' : ''}`,
        '  history:',
        ...d.history.map((h) => `    ${new Date(h.at).toISOString().slice(0, 19).replace('T', ' ')}  ${safeLine(h.actor, 60)}  ${h.action}  ${h.from ?? '-'} → ${h.to}${h.detail ? `  ${safeLine(h.detail, 300)}` : ''}`),
      ];
      out(`${lines.join('\n')}\n`);
      return 0;
    }
    case 'ack':
      return done(await service.ack(need(rest[0], 'the alert id'), actor));
    case 'assign': {
      const user = need(rest[1], 'the user to assign');
      return done(await service.assign(need(rest[0], 'the alert id'), user === '-' ? null : safeLine(user, 200), actor));
    }
    case 'comment':
      return done(await service.comment(need(rest[0], 'the alert id'), need(rest.slice(1).join(' '), 'the comment text'), actor));
    case 'resolve':
      return done(await service.resolve(need(rest[0], 'the alert id'), { actor, falsePositive: v['false-positive'] === true, ...(v.comment ? { comment: v.comment } : {}) }));
    case 'reopen':
      return done(await service.reopen(need(rest[0], 'the alert id'), actor, v.comment));
    case 'suppress':
      return suppress(service, rest, v, actor);
    default:
      throw new AppError('usage', `"${safeLine(action, 40)}" is not an alerts action; use list, show, ack, assign, comment, resolve, reopen or suppress.`);
  }
}

function done(a: { id: string; status: string; assignee: string | null }): number {
  io.out(`${a.id}: ${a.status}${a.assignee ? `, assigned to ${safeLine(a.assignee, 100)}` : ''}\n`);
  return 0;
}

async function suppress(service: AlertService, rest: string[], v: Values, actor: string): Promise<number> {
  const [sub, id] = rest;
  if (sub === 'add') {
    let expiresAt: number | null = null;
    if (v.expires !== undefined) {
      try {
        expiresAt = Date.now() + parseDuration(v.expires, '--expires');
      } catch {
        throw new AppError('usage', `--expires "${safeLine(v.expires, 40)}" is not a duration; write it like 12h or 7d.`);
      }
    }
    const s = await service.addSuppression({ ruleId: v.rule ?? null, tenantId: v.tenant ?? null, entities: v.entity ?? [], reason: v.reason ?? '', createdBy: actor, expiresAt });
    io.out(`${s.id}: suppresses ${describe(s)}${s.expiresAt ? ` until ${new Date(s.expiresAt).toISOString()}` : ' with no expiry'}\n`);
    return 0;
  }
  if (sub === 'list') {
    const list = await service.listSuppressions({ includeExpired: v.all === true });
    if (parseFormat(v.format, ['table', 'json']) === 'json') {
      io.out(jsonLines(list.map((s) => ({ ...s, createdAt: new Date(s.createdAt).toISOString(), expiresAt: s.expiresAt === null ? null : new Date(s.expiresAt).toISOString() }))));
    } else if (list.length === 0) io.out('(no suppressions)\n');
    else
      io.out(
        table(list.map((s) => ({ id: s.id, matches: describe(s), reason: s.reason, by: s.createdBy, expires: s.expiresAt === null ? 'never' : new Date(s.expiresAt).toISOString().slice(0, 16).replace('T', ' ') }))),
      );
    return 0;
  }
  if (sub === 'remove') {
    await service.removeSuppression(need(id, 'the suppression id'));
    io.out(`${safeLine(id, 60)}: removed\n`);
    return 0;
  }
  throw new AppError('usage', 'Use "alerts suppress add", "alerts suppress list" or "alerts suppress remove ID".');
}

function describe(s: { ruleId: string | null; tenantId: string | null; entities: string[] }): string {
  const parts = [s.ruleId ? `rule ${s.ruleId}` : null, s.tenantId ? `tenant ${s.tenantId}` : null, ...s.entities.map((e) => `entity ${e}`)].filter(Boolean);
  return safeLine(parts.join(', '), 300);
}
