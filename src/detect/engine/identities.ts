// Identity resolution storage: learns which identifiers (UPN, object id, PUID, display name, alias,
// mailbox GUID, SID) belong to the same person from facts that the audit records state, and keeps
// them in the `identities` table as (tenant, identifier) → person id. Linking two people relabels one
// of them (union-find, kept flat so SQL resolves a person with one equality). A display name is weak
// evidence: when it links two different people it becomes ambiguous (person '') and resolves to no one,
// so a grant to a colleague who shares a name is never taken for a grant to self.

import type { IdentityRecord, Store } from '../../store/index.js';

import type { IdentityFact } from '../../records/index.js';

export type { IdentityFact };

/** Normalised identifier: trimmed and lower-cased (the SQL side does the same: lower(trim(x))). */
export function identityValue(value: string): string {
  return value.trim().toLowerCase();
}

const WEAK_KINDS = new Set(['displayName']);

interface Known {
  kind: string;
  person: string;
}

/** Learns identity links from facts; batched and idempotent. Returns how many identifiers changed. */
export async function learnIdentityFacts(store: Pick<Store, 'state'>, facts: IdentityFact[], now: number): Promise<number> {
  const byTenant = new Map<string, IdentityFact[]>();
  for (const f of facts) {
    const a = identityValue(f.a.value);
    const b = identityValue(f.b.value);
    if (!a || !b || a === b || a.length > 512 || b.length > 512) continue;
    const list = byTenant.get(f.tenantId) ?? [];
    list.push({ tenantId: f.tenantId, a: { kind: f.a.kind, value: a }, b: { kind: f.b.kind, value: b } });
    byTenant.set(f.tenantId, list);
  }
  let changed = 0;
  for (const [tenant, list] of byTenant) changed += await learnTenant(store, tenant, list, now);
  return changed;
}

async function learnTenant(store: Pick<Store, 'state'>, tenant: string, facts: IdentityFact[], now: number): Promise<number> {
  const values = [...new Set(facts.flatMap((f) => [f.a.value, f.b.value]))];
  const known = new Map<string, Known>();
  for (const r of await store.state.identities.lookup(tenant, values)) known.set(r.value, { kind: r.kind, person: r.personId });
  // Union-find over person ids; identifiers point at a person id.
  const parent = new Map<string, string>();
  const find = (p: string): string => {
    let r = p;
    while (parent.get(r) !== undefined && parent.get(r) !== r) r = parent.get(r)!;
    parent.set(p, r);
    return r;
  };
  const union = (x: string, y: string) => {
    const rx = find(x);
    const ry = find(y);
    if (rx === ry) return;
    // Keep the smaller id so the result does not depend on fact order.
    if (rx < ry) parent.set(ry, rx);
    else parent.set(rx, ry);
  };
  const assigned = new Map<string, Known>(known);
  const fresh = new Map<string, string>();
  const personOf = (value: string, kind: string): string => {
    const k = assigned.get(value);
    if (k && k.person !== '') return k.person;
    const id = `p:${value}`;
    assigned.set(value, { kind, person: id });
    fresh.set(value, kind);
    parent.set(id, id);
    return id;
  };
  const strong = facts.filter((f) => !WEAK_KINDS.has(f.a.kind) && !WEAK_KINDS.has(f.b.kind));
  const weak = facts.filter((f) => WEAK_KINDS.has(f.a.kind) || WEAK_KINDS.has(f.b.kind));
  for (const f of strong) union(personOf(f.a.value, f.a.kind), personOf(f.b.value, f.b.kind));
  const ambiguous = new Set<string>();
  for (const f of weak) {
    const [w, s] = WEAK_KINDS.has(f.a.kind) ? [f.a, f.b] : [f.b, f.a];
    if (WEAK_KINDS.has(s.kind)) continue;
    const sp = find(personOf(s.value, s.kind));
    const existing = assigned.get(w.value);
    if (existing === undefined) {
      assigned.set(w.value, { kind: w.kind, person: sp });
      fresh.set(w.value, w.kind);
    } else if (existing.person === '') continue;
    else if (find(existing.person) !== sp) ambiguous.add(w.value);
  }
  // What to write: new identifiers, relabelled people, newly ambiguous names.
  const add: IdentityRecord[] = [];
  for (const [value, kind] of fresh) {
    const person = ambiguous.has(value) ? '' : find(assigned.get(value)!.person);
    add.push({ value, kind, personId: person });
  }
  const relabel = new Map<string, string>();
  for (const k of known.values()) {
    if (k.person !== '' && parent.has(k.person) && find(k.person) !== k.person) relabel.set(k.person, find(k.person));
  }
  const newlyAmbiguous = [...ambiguous].filter((v) => known.has(v));
  if (add.length + relabel.size + newlyAmbiguous.length === 0) return 0;
  await store.state.identities.apply(tenant, { add, relabel: [...relabel].map(([from, to]) => ({ from, to })), ambiguous: newlyAmbiguous }, now);
  return add.length + relabel.size + newlyAmbiguous.length;
}

/** The person id of an identifier, or null (unknown or ambiguous). */
export async function resolvePerson(store: Pick<Store, 'state'>, tenantId: string, value: string): Promise<string | null> {
  const p = await store.state.identities.personOf(tenantId, identityValue(value));
  return p ? p : null;
}

