// Moving a store into another (auditwatch store copy): the events, then the ledger, gaps, dead letters,
// cursors and every state table, through the copy ports of both stores (store/ports/copy.ts). The
// target records where each step stands after every page it has written (copy_progress), so a copy
// that was killed continues there: a page written again is not doubled (events are stored once per
// (tenant, Id) by the target's ingest; table rows are written by key). The '_source' row names the
// source and what it held when the copy began; a target that holds data and is not a copy of this
// source is refused, and a source that changed since an unfinished run is copied again from the start
// (its rows are re-written by key, its events skipped where stored; rows deleted in the source in
// between stay in the target). At the end the counts of both stores are compared. A complete copy is
// left alone when run again (the target may be in use by then), unless the source changed since.

import { AppError, type Clock } from '../core/index.js';
import { COPY_TABLES, type CopyRow, type EventDay, type Store } from '../store/index.js';

const DAY = 86_400_000;
const SOURCE_STEP = '_source';
const EVENTS_STEP = 'events';

export interface CopyOptions {
  clock: Clock;
  /** Events per page (default 5,000); table rows per page are the same. */
  batch?: number;
  /** After every page: the step ('events' or a table) and how many of its rows are copied of how many. */
  onProgress?: (step: string, copied: number, total: number) => void;
}

export interface CopyCount {
  step: string;
  source: number;
  target: number;
}

export interface CopyResult {
  /** 'new': started now; 'resumed': continued an unfinished copy; 'restarted': the source had changed; 'complete': it was done already. */
  start: 'new' | 'resumed' | 'restarted' | 'complete';
  /** Events the target stored now (0 for those it held already). */
  inserted: number;
  counts: CopyCount[];
}

interface EventPosition {
  tenantId: string;
  creationTime: number;
  id: string;
}

export async function copyStore(source: Store, target: Store, o: CopyOptions): Promise<CopyResult> {
  const batch = Math.max(1, Math.trunc(o.batch ?? 5000));
  const identity = await source.copy.identity();
  const sourceCounts = await counts(source);
  const fingerprint = JSON.stringify({ watermark: await source.commitWatermark(), counts: sourceCounts });
  const progress = new Map((await target.copy.loadProgress()).map((p) => [p.step, p]));
  const marker = progress.get(SOURCE_STEP);
  let start: CopyResult['start'];
  if (marker) {
    if (marker.source !== identity) {
      throw new AppError('copy_target', `The target store is a copy of another store (${marker.source.slice(0, 80)}); give an empty store as --to, or the one this store was copied to before.`);
    }
    if (marker.position === fingerprint) start = marker.done ? 'complete' : 'resumed';
    else {
      start = 'restarted';
      await target.copy.resetProgress();
      progress.clear();
    }
  } else {
    const held = (await counts(target)).filter((c) => c.n > 0);
    if (held.length > 0) {
      const what = held.slice(0, 4).map((c) => `${c.n} ${c.step === EVENTS_STEP ? 'events' : `rows in ${c.step}`}`).join(', ');
      throw new AppError('copy_target_not_empty', `The target store already holds data (${what}) and is not a copy of this store; give an empty store as --to (a new database, or a new DuckDB file).`);
    }
    start = 'new';
  }
  if (start === 'complete') {
    // The target may have moved on since (it is a store in use now): nothing is copied or compared again.
    const now = await counts(target);
    return { start, inserted: 0, counts: sourceCounts.map((c) => ({ step: c.step, source: c.n, target: now.find((t) => t.step === c.step)?.n ?? 0 })) };
  }
  const save = (step: string, position: string | null, copied: number, done: boolean) =>
    target.copy.saveProgress({ step, source: identity, position, copied, done, updatedAt: o.clock.now() });
  await save(SOURCE_STEP, fingerprint, 0, false);

  const total = (step: string) => sourceCounts.find((c) => c.step === step)?.n ?? 0;
  let inserted = 0;
  const events = progress.get(EVENTS_STEP);
  if (!events?.done) {
    let copied = events?.copied ?? 0;
    let position = events?.position ? (JSON.parse(events.position) as EventPosition) : null;
    const days = await source.copy.eventDays();
    for (let i = firstDay(days, position); i < days.length; i++) {
      const day = days[i]!;
      let after = position && position.tenantId === day.tenantId && position.creationTime >= day.day ? { creationTime: position.creationTime, id: position.id } : null;
      for (;;) {
        const page = await source.copy.readEvents(day, after, batch);
        if (page.length === 0) break;
        inserted += (await target.copy.writeEvents(page)).inserted;
        const last = page[page.length - 1]!.row;
        after = { creationTime: last.creationTime, id: last.id };
        position = { tenantId: day.tenantId, ...after };
        copied += page.length;
        await save(EVENTS_STEP, JSON.stringify(position), copied, false);
        o.onProgress?.(EVENTS_STEP, copied, total(EVENTS_STEP));
        if (page.length < batch) break;
      }
    }
    await save(EVENTS_STEP, position ? JSON.stringify(position) : null, copied, true);
  }

  for (const table of COPY_TABLES) {
    const step = progress.get(table);
    if (step?.done) continue;
    let copied = step?.copied ?? 0;
    let after = step?.position ? (JSON.parse(step.position) as CopyRow) : null;
    for (;;) {
      const page = await source.copy.readTable(table, after, batch);
      if (page.length === 0) break;
      await target.copy.writeTable(table, page);
      after = page[page.length - 1]!;
      copied += page.length;
      await save(table, JSON.stringify(after), copied, false);
      o.onProgress?.(table, copied, total(table));
      if (page.length < batch) break;
    }
    await save(table, after ? JSON.stringify(after) : null, copied, true);
  }

  const targetCounts = await counts(target);
  const result = sourceCounts.map((c) => ({ step: c.step, source: c.n, target: targetCounts.find((t) => t.step === c.step)?.n ?? 0 }));
  const differ = result.filter((c) => c.source !== c.target);
  if (differ.length > 0) {
    const what = differ.slice(0, 4).map((c) => `${c.step}: ${c.source} in the source, ${c.target} in the target`).join('; ');
    throw new AppError('copy_mismatch', `The copy ended with different counts (${what}); make sure nothing else writes to either store and run the copy again.`);
  }
  await save(SOURCE_STEP, fingerprint, result.reduce((n, c) => n + c.target, 0), true);
  return { start, inserted, counts: result };
}

/**
 * What `status` says of a store that is the target of a copy that has not finished (killed or stopped
 * midway): the store lacks part of its source until the copy is run again. Null when it is no copy, or a
 * complete one.
 */
export async function unfinishedCopy(target: Store): Promise<string | null> {
  const progress = await target.copy.loadProgress();
  const marker = progress.find((p) => p.step === SOURCE_STEP);
  if (!marker || marker.done) return null;
  const events = progress.find((p) => p.step === EVENTS_STEP);
  const tables = progress.filter((p) => p.step !== SOURCE_STEP && p.step !== EVENTS_STEP && p.done).length;
  const last = Math.max(...progress.map((p) => p.updatedAt));
  const where = `${events?.copied ?? 0} events${events?.done ? ' (all)' : ''} and ${tables} of ${COPY_TABLES.length} tables copied`;
  return `this store is an unfinished copy (auditwatch store copy stopped at ${new Date(last).toISOString().slice(0, 16).replace('T', ' ')}: ${where}); run the same store copy again to finish it (it resumes)`;
}

/** Where an interrupted events step goes on: the day holding its position, or the tenant's next one. */
function firstDay(days: readonly EventDay[], position: EventPosition | null): number {
  if (!position) return 0;
  const within = days.findIndex((d) => d.tenantId === position.tenantId && d.day + DAY > position.creationTime);
  if (within >= 0) return within;
  const last = days.map((d) => d.tenantId).lastIndexOf(position.tenantId);
  return last >= 0 ? last + 1 : 0;
}

async function counts(store: Store): Promise<{ step: string; n: number }[]> {
  const out = [{ step: EVENTS_STEP, n: await store.copy.countEvents() }];
  for (const table of COPY_TABLES) out.push({ step: table, n: await store.copy.countTable(table) });
  return out;
}

