// Suppression (allow-list) rules: a hit they match is still recorded on its alert (count, evidence,
// history) but starts no notification. A rule matches on rule id, tenant and entity values (all that
// it sets); it stops matching when it expires or is removed.

import { randomBytes } from 'node:crypto';
import { AppError, truncate } from '../core/index.js';
import type { Entities } from '../detect/index.js';
import { ENTITY_KINDS, type EntityKind } from './model.js';
import { repos, type Db } from './repo.js';
import { globMatch } from './routing.js';
import type { Suppression } from './types.js';

export interface SuppressionTarget {
  ruleId: string;
  tenantId: string;
  entities: Entities;
}

function entityMatches(spec: string, entities: Entities): boolean {
  const colon = spec.indexOf(':');
  const kind = colon > 0 ? spec.slice(0, colon) : '';
  const isKind = (ENTITY_KINDS as readonly string[]).includes(kind);
  const value = isKind ? spec.slice(colon + 1) : spec;
  const kinds: readonly EntityKind[] = isKind ? [kind as EntityKind] : ENTITY_KINDS;
  return kinds.some((k) => (entities[k] ?? []).some((v) => globMatch(value, v)));
}

export function suppressionMatches(s: Suppression, t: SuppressionTarget, now: number): boolean {
  if (s.expiresAt !== null && s.expiresAt <= now) return false;
  if (s.ruleId !== null && !globMatch(s.ruleId, t.ruleId)) return false;
  if (s.tenantId !== null && s.tenantId !== t.tenantId) return false;
  return s.entities.every((e) => entityMatches(e, t.entities));
}

export function firstMatch(list: readonly Suppression[], t: SuppressionTarget, now: number): Suppression | null {
  return list.find((s) => suppressionMatches(s, t, now)) ?? null;
}

export interface NewSuppression {
  ruleId?: string | null;
  tenantId?: string | null;
  entities?: string[];
  reason: string;
  createdBy: string;
  expiresAt?: number | null;
}

export async function createSuppression(db: Db, input: NewSuppression, now: number): Promise<Suppression> {
  const entities = (input.entities ?? []).map((e) => truncate(e.trim(), 512)).filter((e) => e !== '');
  if (!input.ruleId && !input.tenantId && entities.length === 0) {
    throw new AppError('usage', 'A suppression needs at least one of --rule, --tenant or --entity; one without them would silence every alert.');
  }
  if (input.reason.trim() === '') throw new AppError('usage', 'A suppression needs a reason (--reason TEXT) so that others know why.');
  if (input.expiresAt != null && input.expiresAt <= now) throw new AppError('usage', 'The expiry is in the past; give --expires as a duration from now, like 7d.');
  const s: Suppression = {
    id: `sup-${randomBytes(6).toString('hex')}`,
    ruleId: input.ruleId ?? null,
    tenantId: input.tenantId ?? null,
    entities,
    reason: truncate(input.reason, 1000),
    createdBy: truncate(input.createdBy, 200),
    createdAt: now,
    expiresAt: input.expiresAt ?? null,
  };
  await repos(db).suppressions.insert(s);
  return s;
}

/** Suppressions not removed; with `activeAt`, only those not expired at that time. */
export async function listSuppressions(db: Db, activeAt?: number): Promise<Suppression[]> {
  return repos(db).suppressions.list(activeAt);
}

export async function removeSuppression(db: Db, id: string, now: number): Promise<void> {
  const removed = await repos(db).suppressions.remove(id, now);
  if (!removed) throw new AppError('not_found', `No suppression has the id ${truncate(id, 60)}; list them with "auditwatch alerts suppress list".`);
}
