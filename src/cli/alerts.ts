// auditwatch alerts: list, show and work on alerts (ack, assign, comment, resolve, reopen), and manage
// suppression (allow-list) rules. Thin: parses options, calls the service (in-process, or the daemon
// that holds the store), prints.
import { userInfo } from 'node:os';
import { AppError, safeJson, safeLine } from '../core/index.js';
import { ALERT_STATUSES, isSeverity, type AlertStatus } from '../alerts/index.js';
import type { Operations, SuppressionInfo } from '../service/index.js';
import { ALERT_SORTS, type AlertSort } from '../store/index.js';
import { parseOptions, type CliIO } from './command.js';
import { CONFIG_OPTION, loadCliConfig } from './shared/context.js';
import { jsonLines, parseFormat, table } from './shared/format.js';
import { answer, withOperations } from './shared/session.js';

const HELP = `Usage: auditwatch alerts <action> [options]   (every action takes --config FILE)

  list [--status S,…] [--severity MIN] [--rule ID] [--tenant ID] [--assignee USER|-] [--since 7d]
       [--until TIME] [--sort newest|oldest|severity|count] [--limit N] [--offset N] [--format table|json]
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
  offset: { type: 'string' },
  assignee: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  sort: { type: 'string' },
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

export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseOptions(args, OPTIONS, HELP, io, true);
  if (!parsed) return 0;
  const v = parsed.values as Values;
  const [action, ...rest] = parsed.positionals;
  if (!action) throw new AppError('usage', 'Give an action: list, show, ack, assign, comment, resolve, reopen or suppress; see --help.');
  const config = loadCliConfig(v, io);
  const actor = safeLine(v.as ?? userInfo().username, 100);
  return withOperations(config, io, { label: 'alerts', notice: 'run' }, (ops) => act(ops, io, action, rest, v, actor));
}

type Values = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K] extends { multiple: true } ? string[] : (typeof OPTIONS)[K] extends { type: 'boolean' } ? boolean : string };

async function act(ops: Operations, io: CliIO, action: string, rest: string[], v: Values, actor: string): Promise<number> {
  const out = (s: string) => io.out(s);
  const got = <T>(r: { data: T; warnings: string[] }) => answer(io, 'alerts', r);
  switch (action) {
    case 'list': {
      const format = parseFormat(v.format, ['table', 'json']);
      const status = v.status?.split(',').map((s) => s.trim()) as AlertStatus[] | undefined;
      for (const s of status ?? []) if (!ALERT_STATUSES.includes(s)) throw new AppError('usage', `--status must be among ${ALERT_STATUSES.join(', ')}.`);
      if (v.severity !== undefined && !isSeverity(v.severity)) throw new AppError('usage', '--severity must be informational, low, medium, high or critical.');
      const limit = v.limit === undefined ? 1000 : Number(v.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new AppError('usage', '--limit must be a whole number of at least 1.');
      const offset = v.offset === undefined ? 0 : Number(v.offset);
      if (!Number.isInteger(offset) || offset < 0) throw new AppError('usage', '--offset must be a whole number of at least 0.');
      if (v.sort !== undefined && !(ALERT_SORTS as readonly string[]).includes(v.sort)) throw new AppError('usage', `--sort must be one of ${ALERT_SORTS.join(', ')}.`);
      const alerts = got(
        await ops.alertsList({
          ...(status ? { status } : {}),
          ...(v.severity && isSeverity(v.severity) ? { severity: v.severity } : {}),
          ...(v.rule ? { rule: v.rule } : {}),
          ...(v.tenant ? { tenant: v.tenant } : {}),
          ...(v.assignee ? { assignee: v.assignee } : {}),
          ...(v.since ? { since: v.since } : {}),
          ...(v.until ? { until: v.until } : {}),
          ...(v.sort ? { sort: v.sort as AlertSort } : {}),
          ...(offset ? { offset } : {}),
          limit,
        }),
      );
      if (format === 'json') out(jsonLines(alerts));
      else if (alerts.length === 0) out('(no alerts)\n');
      else
        out(
          table(
            alerts.map((a) => ({
              id: a.id,
              severity: a.severity,
              status: a.suppressedBy ? `${a.status} (suppressed)` : a.status,
              rule: a.rule,
              title: a.title,
              users: (a.entities.users ?? []).join(', '),
              count: a.count,
              lastSeen: a.lastSeen.slice(0, 19).replace('T', ' '),
              assignee: a.assignee,
            })),
          ),
        );
      return 0;
    }
    case 'show': {
      const d = got(await ops.alertsShow({ id: need(rest[0], 'the alert id') }));
      if (parseFormat(v.format, ['table', 'json']) === 'json') {
        out(`${safeJson({ ...d.alert, history: d.history })}\n`);
        return 0;
      }
      const p = d.alert;
      const lines = [
        `${p.id}  ${p.severity.toUpperCase()}  ${p.status}${p.assignee ? `  assigned to ${safeLine(p.assignee, 100)}` : ''}${p.suppressedBy ? `  suppressed by ${p.suppressedBy}` : ''}`,
        `  ${safeLine(p.title, 300)}`,
        `  rule ${safeLine(p.rule)}  tenant ${safeLine(p.tenant)}  count ${p.count}  first ${p.firstSeen}  last ${p.lastSeen}`,
        ...Object.entries(p.entities).map(([k, vals]) => `  ${k}: ${(vals as string[]).slice(0, 20).map((x) => safeLine(x, 120)).join(', ')}`),
        `  tags: ${p.tags.map((t) => safeLine(t, 80)).join(', ')}`,
        `  evidence (${p.evidenceTotal}): ${p.evidence.slice(0, 20).map((x) => safeLine(x, 80)).join(', ')}${p.evidenceTotal > 20 ? ', …' : ''}`,
        '  history:',
        ...d.history.map((h) => `    ${h.at.slice(0, 19).replace('T', ' ')}  ${safeLine(h.actor, 60)}  ${h.action}  ${h.from ?? '-'} → ${h.to}${h.detail ? `  ${safeLine(h.detail, 300)}` : ''}`),
      ];
      out(`${lines.join('\n')}\n`);
      return 0;
    }
    case 'ack':
      return done(io, got(await ops.alertsAck({ id: need(rest[0], 'the alert id'), actor })));
    case 'assign': {
      const user = need(rest[1], 'the user to assign');
      return done(io, got(await ops.alertsAssign({ id: need(rest[0], 'the alert id'), assignee: user === '-' ? null : safeLine(user, 200), actor })));
    }
    case 'comment':
      return done(io, got(await ops.alertsComment({ id: need(rest[0], 'the alert id'), text: need(rest.slice(1).join(' '), 'the comment text'), actor })));
    case 'resolve':
      return done(io, got(await ops.alertsResolve({ id: need(rest[0], 'the alert id'), actor, falsePositive: v['false-positive'] === true, ...(v.comment ? { comment: v.comment } : {}) })));
    case 'reopen':
      return done(io, got(await ops.alertsReopen({ id: need(rest[0], 'the alert id'), actor, ...(v.comment !== undefined ? { comment: v.comment } : {}) })));
    case 'suppress':
      return suppress(ops, io, rest, v, actor);
    default:
      throw new AppError('usage', `"${safeLine(action, 40)}" is not an alerts action; use list, show, ack, assign, comment, resolve, reopen or suppress.`);
  }
}

function done(io: CliIO, a: { id: string; status: string; assignee: string | null }): number {
  io.out(`${a.id}: ${a.status}${a.assignee ? `, assigned to ${safeLine(a.assignee, 100)}` : ''}\n`);
  return 0;
}

async function suppress(ops: Operations, io: CliIO, rest: string[], v: Values, actor: string): Promise<number> {
  const [sub, id] = rest;
  const got = <T>(r: { data: T; warnings: string[] }) => answer(io, 'alerts', r);
  if (sub === 'add') {
    const s = got(await ops.suppressionsAdd({ ruleId: v.rule ?? null, tenantId: v.tenant ?? null, entities: v.entity ?? [], reason: v.reason ?? '', createdBy: actor, expires: v.expires ?? null }));
    io.out(`${s.id}: suppresses ${describe(s)}${s.expiresAt ? ` until ${s.expiresAt}` : ' with no expiry'}\n`);
    return 0;
  }
  if (sub === 'list') {
    const list = got(await ops.suppressionsList({ all: v.all === true }));
    if (parseFormat(v.format, ['table', 'json']) === 'json') io.out(jsonLines(list));
    else if (list.length === 0) io.out('(no suppressions)\n');
    else io.out(table(list.map((s) => ({ id: s.id, matches: describe(s), reason: s.reason, by: s.createdBy, expires: s.expiresAt === null ? 'never' : s.expiresAt.slice(0, 16).replace('T', ' ') }))));
    return 0;
  }
  if (sub === 'remove') {
    got(await ops.suppressionsRemove({ id: need(id, 'the suppression id') }));
    io.out(`${safeLine(id, 60)}: removed\n`);
    return 0;
  }
  throw new AppError('usage', 'Use "alerts suppress add", "alerts suppress list" or "alerts suppress remove ID".');
}

function describe(s: Pick<SuppressionInfo, 'ruleId' | 'tenantId' | 'entities'>): string {
  const parts = [s.ruleId ? `rule ${s.ruleId}` : null, s.tenantId ? `tenant ${s.tenantId}` : null, ...s.entities.map((e) => `entity ${e}`)].filter(Boolean);
  return safeLine(parts.join(', '), 300);
}
