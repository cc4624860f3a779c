// SharePoint / OneDrive reports: users who got "Access denied" (the Service Desk's question; there is no
// access-denied operation, so the signals are AccessRequestCreated and its relatives, ual-schema.md §6)
// and external sharing (anonymous links, guest invitations and shares).

import { sql } from '../../store/index.js';
import type { QueryContext, ReportDefinition } from '../types.js';
import { col, fromEvents, inPeriod, json, limit, listOf, oneOf } from './common.js';

export const ACCESS_DENIED_OPERATIONS = [
  'AccessRequestCreated',
  'AccessRequestDenied',
  'AccessRequestRejected',
  'SharingInvitationBlocked',
  'UnmanagedSyncClientBlocked',
] as const;

const denied = (ctx: QueryContext) => sql`${inPeriod(ctx)} AND ${oneOf(ctx, col('operation'), ACCESS_DENIED_OPERATIONS)}`;
const file = sql`coalesce(file_name, object_id)`;
// The person who was refused: for a denied/rejected request that is the requester (the target), not the
// site owner who refused it.
const person = (ctx: QueryContext) =>
  sql`CASE WHEN ${oneOf(ctx, col('operation'), ['AccessRequestDenied', 'AccessRequestRejected'])} THEN coalesce(${json(ctx, 'raw', 'TargetUserOrGroupName')}, user_id) ELSE user_id END`;

export const accessDenied: ReportDefinition = {
  name: 'access-denied',
  title: 'Users who got access denied in SharePoint and OneDrive',
  description:
    'Access requests raised from the SharePoint/OneDrive "Access denied" page (AccessRequestCreated), requests refused (AccessRequestDenied/Rejected), blocked sharing invitations and blocked sync clients: per user and site, with the files and how often — for training and for spotting someone probing.',
  defaultPeriod: 'last-7d',
  sections: [
    {
      id: 'by-user-site',
      title: 'Users and sites',
      columns: [
        { key: 'user', label: 'User' },
        { key: 'site', label: 'Site' },
        { key: 'count', label: 'Count', kind: 'number' },
        { key: 'files', label: 'Files (first 20)', max: 500 },
        { key: 'operations', label: 'Operations', max: 200 },
        { key: 'first_seen', label: 'First', kind: 'time' },
        { key: 'last_seen', label: 'Last', kind: 'time' },
        { key: 'tenant', label: 'Tenant' },
      ],
      rows: (ctx) =>
        ctx.store.query(sql`SELECT user, site, count(*) AS count, ${listOf(ctx, col('file'))} AS files, ${listOf(ctx, col('operation'))} AS operations,
  min(creation_time) AS first_seen, max(creation_time) AS last_seen, tenant
FROM (SELECT ${person(ctx)} AS user, coalesce(site_url, '(unknown)') AS site, ${file} AS file, operation, creation_time, tenant_id AS tenant
  ${fromEvents(ctx, denied(ctx))}) d
GROUP BY user, site, tenant ORDER BY count DESC, user, site${limit(ctx)}`),
    },
    {
      id: 'events',
      title: 'Every event',
      columns: [
        { key: 'time', label: 'Time (UTC)', kind: 'time' },
        { key: 'user', label: 'User' },
        { key: 'operation', label: 'Operation' },
        { key: 'site', label: 'Site' },
        { key: 'file', label: 'File or item', max: 300 },
        { key: 'client_ip', label: 'Client IP' },
        { key: 'workload', label: 'Workload' },
      ],
      rows: (ctx) =>
        ctx.store.query(sql`SELECT creation_time AS time, ${person(ctx)} AS user, operation, site_url AS site, ${file} AS file, client_ip, workload
${fromEvents(ctx, denied(ctx))} ORDER BY creation_time, id${limit(ctx)}`),
    },
  ],
};

const ANONYMOUS = ['AnonymousLinkCreated', 'AnonymousLinkUpdated', 'AnonymousLinkUsed'];
const GUEST = ['SharingInvitationCreated', 'SharingSet', 'AddedToSecureLink', 'SecureLinkCreated', 'SharingInvitationAccepted'];

const targetType = (ctx: QueryContext) => json(ctx, 'raw', 'TargetUserOrGroupType');
const external = (ctx: QueryContext) =>
  sql`${inPeriod(ctx)} AND (${oneOf(ctx, col('operation'), ANONYMOUS)} OR (${oneOf(ctx, col('operation'), GUEST)} AND (${ctx.d.lower(sql`coalesce(${targetType(ctx)}, '')`)} = 'guest' OR ${ctx.d.contains(ctx.d.lower(sql`coalesce(${json(ctx, 'raw', 'TargetUserOrGroupName')}, '')`), sql`${'#ext#'}`)})))`;

export const externalSharing: ReportDefinition = {
  name: 'external-sharing',
  title: 'External sharing and anonymous links',
  description:
    'Anonymous ("anyone with the link") links created, changed and used, and files or sites shared with guests (TargetUserOrGroupType Guest or #EXT# accounts), per user and each event.',
  defaultPeriod: 'last-7d',
  sections: [
    {
      id: 'by-user',
      title: 'Users',
      columns: [
        { key: 'user', label: 'User' },
        { key: 'anonymous_links', label: 'Anonymous links created', kind: 'number' },
        { key: 'anonymous_uses', label: 'Anonymous link uses', kind: 'number' },
        { key: 'guest_shares', label: 'Guest shares', kind: 'number' },
        { key: 'items', label: 'Items (first 20)', max: 500 },
        { key: 'first_seen', label: 'First', kind: 'time' },
        { key: 'last_seen', label: 'Last', kind: 'time' },
      ],
      chart: { x: 'user', y: ['anonymous_links', 'guest_shares'], title: 'Anonymous links and guest shares by user' },
      rows: (ctx) =>
        ctx.store.query(sql`SELECT user_id AS user,
  sum(CASE WHEN ${oneOf(ctx, col('operation'), ['AnonymousLinkCreated', 'AnonymousLinkUpdated'])} THEN 1 ELSE 0 END) AS anonymous_links,
  sum(CASE WHEN ${oneOf(ctx, col('operation'), ['AnonymousLinkUsed'])} THEN 1 ELSE 0 END) AS anonymous_uses,
  sum(CASE WHEN ${oneOf(ctx, col('operation'), GUEST)} THEN 1 ELSE 0 END) AS guest_shares,
  ${listOf(ctx, file)} AS items, min(creation_time) AS first_seen, max(creation_time) AS last_seen
${fromEvents(ctx, external(ctx))} GROUP BY user_id ORDER BY anonymous_links + guest_shares DESC, user${limit(ctx)}`),
    },
    {
      id: 'events',
      title: 'Every event',
      columns: [
        { key: 'time', label: 'Time (UTC)', kind: 'time' },
        { key: 'user', label: 'User' },
        { key: 'operation', label: 'Operation' },
        { key: 'item', label: 'File or item', max: 300 },
        { key: 'shared_with', label: 'Shared with' },
        { key: 'target_type', label: 'Target type' },
        { key: 'client_ip', label: 'Client IP' },
      ],
      rows: (ctx) =>
        ctx.store.query(sql`SELECT creation_time AS time, user_id AS user, operation, ${file} AS item,
  ${json(ctx, 'raw', 'TargetUserOrGroupName')} AS shared_with, ${targetType(ctx)} AS target_type, client_ip
${fromEvents(ctx, external(ctx))} ORDER BY creation_time, id${limit(ctx)}`),
    },
  ],
};
