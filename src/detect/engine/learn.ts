// learnIdentities: the facts that normalised records state about who is who (records/extractIdentities),
// stored in the identities table. Call it with every ingested batch, before detection runs.

import { extractIdentities, type EventRow } from '../../records/index.js';
import type { Store } from '../../store/index.js';
import { learnIdentityFacts } from './identities.js';

/** Learns identity links from rows (batched, idempotent). Returns how many identifiers changed. */
export async function learnIdentities(store: Pick<Store, 'state'>, rows: readonly EventRow[], now: number = Date.now()): Promise<number> {
  const facts = rows.flatMap((r) => extractIdentities(r));
  if (facts.length === 0) return 0;
  return learnIdentityFacts(store, facts, now);
}
