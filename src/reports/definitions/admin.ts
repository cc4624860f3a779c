// Administration reports: who ran which admin operations (Exchange cmdlets, Entra ID directory changes,
// Security & Compliance cmdlets, SharePoint admin actions) and privileged role changes.

import { sql } from '../../store/index.js';
import type { QueryContext, ReportDefinition } from '../types.js';
import { bucket, col, distinct, fromEvents, inPeriod, json, limit, listOf, oneOf } from './common.js';

/** RecordType 1 ExchangeAdmin, 8 AzureActiveDirectory (directory audit), 18 SecurityComplianceCenterEXOCmdlet. */
const ADMIN_RECORD_TYPES = [1, 8, 18];
const SPO_ADMIN_OPS = ['SiteCollectionAdminAdded', 'SiteCollectionAdminRemoved', 'SiteAdminChangeRequest', 'SiteCollectionCreated', 'SharingPolicyChanged', 'TenantSettingChanged'];

const adminOps = (ctx: QueryContext) =>
  sql`${inPeriod(ctx)} AND (record_type IN (${ADMIN_RECORD_TYPES[0]!}, ${ADMIN_RECORD_TYPES[1]!}, ${ADMIN_RECORD_TYPES[2]!}) OR ${oneOf(ctx, col('operation'), SPO_ADMIN_OPS)})`;

export const adminActivity: ReportDefinition = {
  name: 'admin-activity',
  title: 'Admin activity',
  description:
    'Who ran which administrative operations: Exchange admin cmdlets, Entra ID directory changes (users, groups, roles, applications, domains), Security & Compliance cmdlets and SharePoint admin actions.',
  defaultPeriod: 'last-7d',
  sections: [
    {
      id: 'per-day',
      title: 'Admin operations per day',
      columns: [
        { key: 'day', label: 'Day (UTC)', kind: 'day' },
        { key: 'operations', label: 'Operations', kind: 'number' },
        { key: 'admins', label: 'Admins', kind: 'number' },
      ],
      chart: { x: 'day', y: ['operations'], title: 'Admin operations per day', fill: 'day' },
      chartOnly: true,
      rows: (ctx) =>
        ctx.store.query(sql`SELECT ${bucket(ctx, 'day', col('creation_time'))} AS day, count(*) AS operations, ${distinct(ctx, col('user_id'))} AS admins
${fromEvents(ctx, adminOps(ctx))} GROUP BY day ORDER BY day${limit(ctx)}`),
    },
    {
      id: 'by-admin',
      title: 'Admins and their operations',
      columns: [
        { key: 'admin', label: 'Admin' },
        { key: 'user_type', label: 'User type' },
        { key: 'count', label: 'Operations', kind: 'number' },
        { key: 'distinct_operations', label: 'Distinct', kind: 'number' },
        { key: 'operation_list', label: 'Operations (first 20)', max: 600 },
        { key: 'failed', label: 'Failed', kind: 'number' },
        { key: 'first_seen', label: 'First', kind: 'time' },
        { key: 'last_seen', label: 'Last', kind: 'time' },
      ],
      rows: (ctx) =>
        ctx.store.query(sql`SELECT user_id AS admin, max(user_type_name) AS user_type, count(*) AS count,
  ${distinct(ctx, col('operation'))} AS distinct_operations, ${listOf(ctx, col('operation'))} AS operation_list,
  sum(CASE WHEN ${oneOf(ctx, sql`coalesce(result_status, '')`, ['False', 'Failed', 'Failure'])} THEN 1 ELSE 0 END) AS failed,
  min(creation_time) AS first_seen, max(creation_time) AS last_seen
${fromEvents(ctx, adminOps(ctx))} GROUP BY user_id ORDER BY count DESC, admin${limit(ctx)}`),
    },
    {
      id: 'by-operation',
      title: 'Operations',
      columns: [
        { key: 'operation', label: 'Operation' },
        { key: 'workload', label: 'Workload' },
        { key: 'count', label: 'Count', kind: 'number' },
        { key: 'admins', label: 'Admins', kind: 'number' },
        { key: 'admin_list', label: 'Admins (first 20)', max: 500 },
      ],
      rows: (ctx) =>
        ctx.store.query(sql`SELECT operation, max(workload) AS workload, count(*) AS count, ${distinct(ctx, col('user_id'))} AS admins,
  ${listOf(ctx, col('user_id'))} AS admin_list
${fromEvents(ctx, adminOps(ctx))} GROUP BY operation ORDER BY count DESC, operation${limit(ctx)}`),
    },
  ],
};

const ROLE_OPS = [
  'Add member to role.',
  'Remove member from role.',
  'Add eligible member to role.',
  'Remove eligible member from role.',
  'Add scoped member to role.',
  'Add-RoleGroupMember',
  'Remove-RoleGroupMember',
  'Update-RoleGroupMember',
  'New-ManagementRoleAssignment',
  'Remove-ManagementRoleAssignment',
  'New-RoleGroup',
];

export const privilegedRoleChanges: ReportDefinition = {
  name: 'privileged-role-changes',
  title: 'Privileged role changes',
  description:
    'Entra ID role membership changes (Add/Remove member to role, eligible assignments) and Exchange role group and management role assignment changes: who changed whose role, and which role.',
  defaultPeriod: 'last-30d',
  sections: [
    {
      id: 'changes',
      title: 'Role changes',
      columns: [
        { key: 'time', label: 'Time (UTC)', kind: 'time' },
        { key: 'actor', label: 'Changed by' },
        { key: 'operation', label: 'Operation' },
        { key: 'target', label: 'Member' },
        { key: 'role', label: 'Role' },
        { key: 'result', label: 'Result' },
        { key: 'client_ip', label: 'Client IP' },
        { key: 'tenant', label: 'Tenant' },
      ],
      rows: (ctx) =>
        ctx.store.query(sql`SELECT creation_time AS time, user_id AS actor, operation,
  coalesce(${json(ctx, 'parameters', 'Member')}, ${json(ctx, 'parameters', 'User')}, object_id) AS target,
  coalesce(${json(ctx, 'modified_properties', 'Role.DisplayName', 'newValue')}, ${json(ctx, 'modified_properties', 'Role.DisplayName', 'oldValue')},
    ${json(ctx, 'parameters', 'Role')}, ${json(ctx, 'parameters', 'Identity')}) AS role,
  result_status AS result, client_ip, tenant_id AS tenant
${fromEvents(ctx, sql`${inPeriod(ctx)} AND ${oneOf(ctx, col('operation'), ROLE_OPS)}`)} ORDER BY creation_time, id${limit(ctx)}`),
    },
  ],
};
