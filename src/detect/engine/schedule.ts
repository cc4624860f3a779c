// Scheduling: detection after every batch the collector stores. The collector's onCommitted hook calls
// wake(); passes never overlap and wakes during a pass coalesce into one more pass. Each pass first
// learns identities from the records ingested since the last pass (so "same person" questions see the
// newest links), then runs the detector incrementally (late records included).

import { DAY, HOUR, errorMessage, type Clock, type Logger } from '../../core/index.js';
import { extractIdentities, normalize } from '../../records/index.js';
import type { Store } from '../../store/index.js';
import { usesIdentities, type CompiledRule } from '../compile/index.js';
import type { DetectionHit } from '../types.js';
import type { Detector } from './detector.js';
import { learnIdentityFacts } from './identities.js';

/** The detection_state key of the identity-learning watermark (not a rule id: rule ids hold no "~"). */
export const IDENTITY_WATERMARK = '~identities';
/** How far back identity-dependent rules are asked again when new identity links arrive: the API's 7
 *  days of content plus a day. */
export const IDENTITY_RECHECK_MS = 8 * DAY;

/** Whether a rule (or a correlation's referenced rules) asks whether two fields name the same person. */
export function asksIdentities(compiled: CompiledRule): boolean {
  return (compiled.kind === 'rule' ? [compiled.rule] : compiled.refs).some(usesIdentities);
}
const PAGE = 20_000;

/**
 * Learns identities from the records ingested since the last call (watermark in detection_state), in
 * pages. Returns how many identifiers changed.
 */
export async function learnIdentitiesFromStore(store: Store, now: number): Promise<number> {
  const upTo = await store.commitWatermark();
  if (upTo === null) return 0;
  const after = (await store.state.detection.watermark(IDENTITY_WATERMARK)) ?? -1;
  if (after >= upTo) return 0;
  let changed = 0;
  for (let offset = 0; ; offset += PAGE) {
    const rows = await store.ingestedRecords({ after, upTo }, { limit: PAGE, offset });
    // The stored raw record, normalised again, gives extractIdentities every field it reads.
    const facts = rows.flatMap((r) => {
      const n = normalize(r.raw, { tenantId: r.tenantId, contentType: r.contentType, sourceId: r.sourceId });
      return n.ok ? extractIdentities(n.row) : [];
    });
    if (facts.length) changed += await learnIdentityFacts(store, facts, now);
    if (rows.length < PAGE) break;
  }
  await store.state.detection.setWatermarks([IDENTITY_WATERMARK], upTo, now);
  return changed;
}

export interface DetectionScheduler {
  /** Asks for a pass soon (from the collector's onCommitted hook); never throws. */
  wake(): void;
  /** Runs a pass now (after any running one) and returns its new hits. */
  runNow(): Promise<DetectionHit[]>;
  /** Resolves when no pass is running or pending. */
  idle(): Promise<void>;
}

export function createDetectionScheduler(deps: {
  store: Store;
  detector: Detector;
  clock: Clock;
  logger: Logger;
  /** Runs each pass with no other detection job of the process beside it (the daemon's leadership). */
  exclusive?: <T>(fn: () => Promise<T>) => Promise<T>;
}): DetectionScheduler {
  const { store, detector, clock, logger } = deps;
  const exclusive = deps.exclusive ?? (<T>(fn: () => Promise<T>) => fn());
  let chain: Promise<unknown> = Promise.resolve();
  let pending = false;

  const pass = async (): Promise<DetectionHit[]> => {
    let changed = await learnIdentitiesFromStore(store, clock.now());
    const hits = await detector.runIncremental();
    // Records committed while the pass ran may carry links that records already evaluated needed.
    changed += await learnIdentitiesFromStore(store, clock.now());
    // A record whose "same person" question was answered before the links that resolve it arrived (they
    // come in other content types and blobs, often later) is asked again once the links are known. The
    // evidence already alerted on is never reported twice, so re-running is safe.
    // Asked each pass: the daemon's detector may load its rules again (rule settings changed).
    const identityRules = changed > 0 ? detector.rules.filter(asksIdentities).map((c) => c.rule.id) : [];
    if (identityRules.length > 0) {
      const now = clock.now();
      for (const h of await detector.run({ from: now - IDENTITY_RECHECK_MS, to: now + HOUR, ruleIds: identityRules })) hits.push(h);
    }
    return hits;
  };
  const enqueue = (): Promise<DetectionHit[]> => {
    const next = chain.then(() => exclusive(pass));
    chain = next.catch(() => undefined);
    return next;
  };
  return {
    wake() {
      if (pending) return;
      pending = true;
      chain.then(() => {
        pending = false;
        return enqueue().catch((err) => logger.warn('A detection pass failed; the next batch retries it.', { error: errorMessage(err) }));
      });
    },
    runNow: () => enqueue(),
    async idle() {
      while (true) {
        const current = chain;
        await current;
        if (current === chain && !pending) return;
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
  };
}
