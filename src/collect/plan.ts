// The decisions of one worker pass, with no I/O: where listing starts (cursor, --since, overlap, the
// 7-day limit), the windows it lists (≤ 24 h, narrower only after a listing that took several pages),
// which spans become gaps, and how far the cursor may move given what was listed and what committed.
// The worker (worker.ts) does the I/O and reports each outcome here; every answer depends only on the
// plan's state and the times passed in, so the cursor invariant — the cursor never passes a blob that
// failed or a window not fully listed — lives in this file alone and is tested directly (plan.test.ts).

const HOUR = 3_600_000;

/** How long the Management Activity API serves content after it became available. */
export const API_RETENTION_MS = 7 * 24 * HOUR;
/** The widest window the API lists in one request (management-api.md §1.5). */
export const MAX_WINDOW_MS = 24 * HOUR;

export interface PlanOptions {
  /** Re-listed on every pass to catch blobs listed late. */
  overlapMs: number;
  /** How far back a first pass (no cursor, no since) starts. */
  initialLookbackMs: number;
  /** How far back the API may be asked (7 days less a margin). */
  maxLookbackMs: number;
  /** The widest window (default and at most 24 h). */
  windowMs: number;
  /** The narrowest a window gets after large listings (default 1 h, at most windowMs). */
  minWindowMs: number;
}

/** A span of contentCreated, [start, end), in epoch ms on whole seconds. */
export interface Span {
  start: number;
  end: number;
}

export interface PlanWindow extends Span {
  /** 'list': to be listed; 'gap': a span that can no longer be listed, handled once its gap is recorded. */
  kind: 'list' | 'gap';
  /** Listed to its last page (or its gap recorded). */
  listed: boolean;
  /** Listing failed in this pass: the cursor stops at its start. */
  failed: boolean;
  /** Blobs listed in it and not committed yet (failed ones stay here): contentId → contentCreated. */
  outstanding: Map<string, number>;
}

export interface PassStart extends Span {
  /**
   * The cursor is older than the API serves: that span was never listed and has expired. Recorded as a
   * gap, then the cursor is saved at `jumpTo` before listing starts.
   */
  expired: (Span & { jumpTo: number }) | null;
}

const floorSec = (t: number) => Math.floor(t / 1000) * 1000;
const ceilSec = (t: number) => Math.ceil(t / 1000) * 1000;

/**
 * Where a pass lists from and to. `apiNow` is the API's clock. A first pass starts at `since`, or
 * initialLookback back; later passes at the earlier of the cursor, the overlap and `since`; never
 * before what the API serves.
 */
export function planStart(cursor: number | null, since: number | undefined, apiNow: number, o: PlanOptions): PassStart {
  const end = floorSec(apiNow);
  const earliest = end - o.maxLookbackMs;
  let start = cursor === null ? (since ?? end - o.initialLookbackMs) : Math.min(cursor, end - o.overlapMs, since ?? Number.POSITIVE_INFINITY);
  let expired: PassStart['expired'] = null;
  if (cursor !== null && cursor < earliest) expired = { start: cursor, end: earliest, jumpTo: ceilSec(earliest) };
  if (start < earliest) start = earliest;
  start = floorSec(start);
  return { start, end: Math.max(start, end), expired };
}

/** What the worker does next: list a window, record a gap for one, or nothing (the plan is listed). */
export type NextStep = { kind: 'list'; window: PlanWindow } | { kind: 'gap'; window: PlanWindow; reason: 'expired' | 'rejected' } | null;

export class PassPlan {
  readonly windows: PlanWindow[] = [];
  private width: number;
  private savedCursor: number | null;
  /** Windows before this are complete (listed, not failed, nothing outstanding). */
  private doneIdx = 0;
  /** No more windows this pass (a window failed, or listing stopped). */
  private stopped = false;
  failedBlobs = 0;

  constructor(readonly span: Span, cursor: number | null, private readonly o: PlanOptions) {
    this.width = Math.min(MAX_WINDOW_MS, o.windowMs);
    this.savedCursor = cursor;
  }

  get cursor(): number | null {
    return this.savedCursor;
  }

  /** The cursor was saved elsewhere (the expired jump). */
  setCursor(position: number): void {
    if (this.savedCursor === null || position > this.savedCursor) this.savedCursor = position;
  }

  /**
   * The next window after the last one, cut at `apiNow`'s retention limit: a span that fell out of what
   * the API serves while the pass ran (it fell behind) comes first as a gap window.
   */
  next(apiNow: number): NextStep {
    if (this.stopped) return null;
    const last = this.windows.at(-1);
    const from = last ? last.end : this.span.start;
    if (from >= this.span.end) return null;
    const limit = ceilSec(apiNow - API_RETENTION_MS);
    if (from < limit) return { kind: 'gap', window: this.push('gap', from, Math.min(limit, this.span.end)), reason: 'expired' };
    return { kind: 'list', window: this.push('list', from, Math.min(from + this.width, this.span.end)) };
  }

  /**
   * The API refused a window as out of range (AF20055). When its start is within an hour of the oldest
   * time the API may be asked (clock skew, a pass that started late), the part before that becomes a
   * gap window inserted before it and the rest is listed again; otherwise null (the refusal is an error).
   */
  rejected(win: PlanWindow, apiNow: number): NextStep {
    const oldest = apiNow - this.o.maxLookbackMs;
    if (!(win.start < oldest + HOUR)) return null;
    const cut = Math.min(win.end, ceilSec(oldest + HOUR));
    const gap: PlanWindow = { kind: 'gap', start: win.start, end: cut, listed: false, failed: false, outstanding: new Map() };
    this.windows.splice(this.windows.indexOf(win), 0, gap);
    win.start = cut;
    if (win.start >= win.end) {
      this.windows.splice(this.windows.indexOf(win), 1);
    }
    return { kind: 'gap', window: gap, reason: 'rejected' };
  }

  /** A page of a window's listing: the blobs the ledger did not know. */
  listedPage(win: PlanWindow, blobs: Iterable<{ contentId: string; contentCreated: number }>): void {
    for (const b of blobs) win.outstanding.set(b.contentId, b.contentCreated);
  }

  /**
   * The window is listed to its last page (or its gap recorded). A listing of several pages narrows the
   * next window (halving, down to minWindowMs) so the cursor moves in smaller steps where content is
   * dense; a one-page listing widens it again (doubling, up to windowMs). Returns the hours completed.
   */
  listed(win: PlanWindow, pages = 1): number {
    win.listed = true;
    if (win.kind === 'list') {
      const max = Math.min(MAX_WINDOW_MS, this.o.windowMs);
      const min = Math.min(max, this.o.minWindowMs);
      this.width = pages > 1 ? Math.max(min, floorSec(this.width / 2)) : Math.min(max, this.width * 2);
    }
    return this.advance();
  }

  /** The window could not be listed in this pass: the cursor stops at its start and listing ends. */
  listFailed(win: PlanWindow): void {
    win.failed = true;
    this.stopped = true;
  }

  /** Listing stopped (a fatal error, an abort): no more windows this pass. */
  stop(): void {
    this.stopped = true;
  }

  /** A blob failed after every retry: it stays outstanding, so the cursor stays before it. */
  blobFailed(): void {
    this.failedBlobs++;
  }

  /**
   * The cursor a commit holding `inBatch` (contentIds of this worker's blobs in it) may save, or null
   * when it would not move past the saved one: the end of the complete prefix of windows, or inside
   * the first incomplete one, if it is fully listed, just before its oldest blob still outstanding.
   */
  cursorFor(inBatch: ReadonlySet<string>): number | null {
    let pos: number | null = null;
    for (let i = this.doneIdx; i < this.windows.length; i++) {
      const w = this.windows[i]!;
      if (!w.listed || w.failed) {
        pos = w.start;
        break;
      }
      let oldest = Number.POSITIVE_INFINITY;
      for (const [id, created] of w.outstanding) if (!inBatch.has(id) && created < oldest) oldest = created;
      if (oldest !== Number.POSITIVE_INFINITY) {
        pos = Math.max(w.start, Math.min(w.end, floorSec(oldest)));
        break;
      }
      pos = w.end;
    }
    if (pos === null && this.doneIdx > 0) pos = this.windows[this.doneIdx - 1]!.end;
    // Nothing of the span handled yet says nothing new, also for a first pass (no cursor saved).
    if (pos === null || pos <= this.span.start) return null;
    return this.savedCursor === null || pos > this.savedCursor ? pos : null;
  }

  /** A commit held these blobs of this worker and saved `cursor` (or none). Returns the hours completed. */
  committed(blobs: Iterable<{ contentId: string; window: PlanWindow }>, cursor: number | null): number {
    for (const b of blobs) b.window.outstanding.delete(b.contentId);
    if (cursor !== null) this.setCursor(cursor);
    return this.advance();
  }

  /** Every window of the span listed, none failed, no blob failed, nothing outstanding. */
  complete(): boolean {
    const last = this.windows.at(-1);
    const covered = this.span.start >= this.span.end || (last !== undefined && last.end >= this.span.end);
    return covered && this.failedBlobs === 0 && this.windows.every((w) => w.listed && !w.failed && w.outstanding.size === 0);
  }

  /** Hours of the span (for progress). */
  get hours(): number {
    return Math.max(0, (this.span.end - this.span.start) / HOUR);
  }

  private push(kind: PlanWindow['kind'], start: number, end: number): PlanWindow {
    const w: PlanWindow = { kind, start, end, listed: false, failed: false, outstanding: new Map() };
    this.windows.push(w);
    return w;
  }

  private advance(): number {
    let hours = 0;
    while (this.doneIdx < this.windows.length) {
      const w = this.windows[this.doneIdx]!;
      if (!w.listed || w.failed || w.outstanding.size > 0) break;
      hours += (w.end - w.start) / HOUR;
      this.doneIdx++;
    }
    return hours;
  }
}
