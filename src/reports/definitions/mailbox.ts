// Exchange reports: admins who gave themselves access to another user's mailbox (the auditors'
// question), and mailbox forwarding and inbox rules. "Themselves" is the detection part's identity
// resolution: the selection below is a Sigma detection compiled by detect/ (sameperson modifier), so the
// report and the alert rule agree on who is the same person whatever form User/Trustee takes.

import { AppError } from '../../core/index.js';
import { compilePredicate, parseRuleText, type DetectDialect } from '../../detect/index.js';
import { sql, type Row, type Sql } from '../../store/index.js';
import type { QueryContext, ReportDefinition } from '../types.js';
import { col, distinct, fromEvents, inPeriod, json, limit, listOf, oneOf } from './common.js';

const SELF_GRANT_SIGMA = `
title: Mailbox permission granted to the grantor (report selection)
id: report-mailbox-self-grants
logsource:
  product: m365
  service: exchange
detection:
  grant_user:
    Operation:
      - Add-MailboxPermission
      - Add-MailboxFolderPermission
      - Set-MailboxFolderPermission
    Parameters.User|sameperson: UserId
  grant_trustee:
    Operation: Add-RecipientPermission
    Parameters.Trustee|sameperson: UserId
  own_mailbox:
    Parameters.Identity|sameperson: UserId
  failed:
    ResultStatus: 'False'
  condition: (grant_user or grant_trustee) and not own_mailbox and not failed
level: high
`;

const compiled = new Map<string, Sql>();

/** The WHERE predicate of a self-grant, compiled once per dialect. */
export function selfGrantPredicate(d: DetectDialect): Sql {
  const hit = compiled.get(d.base.name);
  if (hit) return hit;
  const parsed = parseRuleText(SELF_GRANT_SIGMA, 'reports/mailbox-self-grants');
  const rule = parsed.rules[0];
  if (parsed.errors.length || !rule || rule.kind !== 'rule') {
    throw new AppError('report_internal', `The self-grant selection does not compile: ${parsed.errors.map((e) => e.display()).join('; ')}`);
  }
  const res = compilePredicate(rule, d);
  if (!res.ok) throw new AppError('report_internal', `The self-grant selection does not compile: ${res.errors.map((e) => e.display()).join('; ')}`);
  compiled.set(d.base.name, res.value);
  return res.value;
}

const grantee = (ctx: QueryContext) => sql`coalesce(${json(ctx, 'parameters', 'User')}, ${json(ctx, 'parameters', 'Trustee')})`;

export const mailboxSelfGrants: ReportDefinition = {
  name: 'mailbox-self-grants',
  title: "Admins who gave themselves access to another user's mailbox",
  description:
    'Add-MailboxPermission, Add-RecipientPermission and Add-/Set-MailboxFolderPermission where the grantee is the admin who ran the command (UPN, alias, display name or object id, resolved through learned identities), on a mailbox that is not their own. Failed commands are left out.',
  defaultPeriod: 'last-month',
  sections: [
    {
      id: 'by-admin',
      title: 'Admins',
      columns: [
        { key: 'admin', label: 'Admin' },
        { key: 'tenant', label: 'Tenant' },
        { key: 'grants', label: 'Grants', kind: 'number' },
        { key: 'mailboxes', label: 'Mailboxes', kind: 'number' },
        { key: 'mailbox_list', label: 'Mailboxes granted', max: 400 },
        { key: 'first_seen', label: 'First', kind: 'time' },
        { key: 'last_seen', label: 'Last', kind: 'time' },
      ],
      rows: (ctx) =>
        ctx.store.query(sql`SELECT user_id AS admin, tenant_id AS tenant, count(*) AS grants,
  ${distinct(ctx, json(ctx, 'parameters', 'Identity'))} AS mailboxes,
  ${listOf(ctx, json(ctx, 'parameters', 'Identity'))} AS mailbox_list,
  min(creation_time) AS first_seen, max(creation_time) AS last_seen
${fromEvents(ctx, sql`${inPeriod(ctx)} AND (${selfGrantPredicate(ctx.d)})`)}
GROUP BY user_id, tenant_id ORDER BY grants DESC, admin${limit(ctx)}`),
    },
    {
      id: 'grants',
      title: 'Every grant',
      columns: [
        { key: 'time', label: 'Time (UTC)', kind: 'time' },
        { key: 'admin', label: 'Admin' },
        { key: 'operation', label: 'Command' },
        { key: 'mailbox', label: 'Mailbox (Identity)' },
        { key: 'grantee', label: 'Grantee as written' },
        { key: 'rights', label: 'Access rights' },
        { key: 'client_ip', label: 'Client IP' },
        { key: 'tenant', label: 'Tenant' },
        { key: 'id', label: 'Record Id' },
      ],
      rows: (ctx) =>
        ctx.store.query(sql`SELECT creation_time AS time, user_id AS admin, operation,
  ${json(ctx, 'parameters', 'Identity')} AS mailbox, ${grantee(ctx)} AS grantee,
  ${json(ctx, 'parameters', 'AccessRights')} AS rights, client_ip, tenant_id AS tenant, id
${fromEvents(ctx, sql`${inPeriod(ctx)} AND (${selfGrantPredicate(ctx.d)})`)}
ORDER BY creation_time, id${limit(ctx)}`),
    },
  ],
};

const FORWARD_PARAMS = ['ForwardingSmtpAddress', 'ForwardingAddress', 'ForwardTo', 'ForwardAsAttachmentTo', 'RedirectTo', 'BlindCopyTo', 'RedirectMessageTo', 'CopyTo', 'AddToRecipients'];
const RULE_OPS = ['Set-Mailbox', 'New-InboxRule', 'Set-InboxRule', 'Enable-InboxRule', 'UpdateInboxRules', 'New-TransportRule', 'Set-TransportRule'];

/** The domain of each address in a forwarding value ("smtp:x@evil.com", "a@b.com;c@d.com", "[EX:/o=..]"). */
function domainsOf(value: string): string[] {
  return [...value.matchAll(/[^\s@;:,"'<>[\]]+@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g)].map((m) => m[1]!.toLowerCase());
}

function isExternal(target: string, actor: string, owner: string): string {
  const targets = domainsOf(target);
  if (targets.length === 0) return target ? 'no (internal recipient)' : '';
  const home = new Set([...domainsOf(actor), ...domainsOf(owner)].map((d) => d.split('.').slice(-2).join('.')));
  const out = targets.filter((d) => !home.has(d.split('.').slice(-2).join('.')));
  return out.length ? `yes (${[...new Set(out)].join(', ')})` : 'no';
}

export const mailForwarding: ReportDefinition = {
  name: 'mail-forwarding',
  title: 'Mailbox forwarding and inbox rules',
  description:
    'Set-Mailbox forwarding, inbox rules created or changed in OWA/PowerShell (New-/Set-/Enable-InboxRule) or Outlook (UpdateInboxRules), and transport rules that copy or redirect mail. "External" compares the recipient\'s domain with the actor\'s and the mailbox owner\'s.',
  defaultPeriod: 'last-30d',
  sections: [
    {
      id: 'changes',
      title: 'Forwarding and rule changes',
      columns: [
        { key: 'time', label: 'Time (UTC)', kind: 'time' },
        { key: 'actor', label: 'Actor' },
        { key: 'operation', label: 'Operation' },
        { key: 'mailbox', label: 'Mailbox' },
        { key: 'rule', label: 'Rule' },
        { key: 'forward_to', label: 'Forwards / copies to', max: 300 },
        { key: 'external', label: 'External' },
        { key: 'other_actions', label: 'Other actions', max: 300 },
        { key: 'client_ip', label: 'Client IP' },
        { key: 'tenant', label: 'Tenant' },
      ],
      rows: async (ctx) => {
        const forwards = FORWARD_PARAMS.map((p) => json(ctx, 'parameters', p));
        const rows = await ctx.store.query(sql`SELECT creation_time AS time, user_id AS actor, operation,
  coalesce(${json(ctx, 'parameters', 'Mailbox')}, ${json(ctx, 'parameters', 'Identity')}, mailbox_owner_upn, object_id) AS mailbox,
  coalesce(${json(ctx, 'parameters', 'Name')}, ${json(ctx, 'operation_properties', 'RuleName')}) AS rule,
  ${ctx.d.concatNonNull('; ', forwards)} AS forward_to,
  ${ctx.d.concatNonNull('; ', [sql`CASE WHEN ${json(ctx, 'parameters', 'DeleteMessage')} IS NOT NULL THEN concat('DeleteMessage=', ${json(ctx, 'parameters', 'DeleteMessage')}) END`,
    sql`CASE WHEN ${json(ctx, 'parameters', 'MoveToFolder')} IS NOT NULL THEN concat('MoveToFolder=', ${json(ctx, 'parameters', 'MoveToFolder')}) END`,
    sql`CASE WHEN ${json(ctx, 'parameters', 'MarkAsRead')} IS NOT NULL THEN concat('MarkAsRead=', ${json(ctx, 'parameters', 'MarkAsRead')}) END`,
    sql`CASE WHEN ${json(ctx, 'parameters', 'DeliverToMailboxAndForward')} IS NOT NULL THEN concat('DeliverToMailboxAndForward=', ${json(ctx, 'parameters', 'DeliverToMailboxAndForward')}) END`,
    json(ctx, 'operation_properties', 'RuleActions')])} AS other_actions,
  mailbox_owner_upn AS owner, client_ip, tenant_id AS tenant
${fromEvents(ctx, sql`${inPeriod(ctx)} AND ${oneOf(ctx, col('operation'), RULE_OPS)}
  AND (${col('operation')} <> 'Set-Mailbox' OR ${ctx.d.concatNonNull('', forwards.slice(0, 2))} <> '')`)}
ORDER BY creation_time, id${limit(ctx)}`);
        return rows.map((r): Row => {
          const { owner, ...rest } = r;
          return { ...rest, external: isExternal(String(r['forward_to'] ?? ''), String(r['actor'] ?? ''), String(owner ?? r['mailbox'] ?? '')) };
        });
      },
    },
  ],
};
