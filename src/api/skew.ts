// How far this machine's clock is from the API's, from the `Date` header of its answers. The API judges
// content windows by its own clock (a start more than 7 days + 1 hour before its "now" is refused with
// AF20055), so the collector places its windows on the API's clock when the two disagree.

/** Answers kept for the estimate: the median of the last few ignores one slow answer. */
const SAMPLES = 9;

export class ClockSkew {
  private readonly samples: number[] = [];

  constructor(private readonly now: () => number) {}

  /** This machine's time, to pass back to observe() with the answer. */
  localNow(): number {
    return this.now();
  }

  /** Takes the `Date` header of an answer to a request sent at `sentAt` (local time). */
  observe(dateHeader: string | null, sentAt: number): void {
    if (!dateHeader) return;
    const server = Date.parse(dateHeader);
    if (Number.isNaN(server)) return;
    // The header has whole seconds: the server's time lay somewhere in [server, server + 1 s).
    const local = (sentAt + this.now()) / 2;
    this.samples.push(server + 500 - local);
    if (this.samples.length > SAMPLES) this.samples.shift();
  }

  /** API time − local time in ms (median of the recent answers), or null before any answer with a date. */
  estimate(): number | null {
    if (this.samples.length === 0) return null;
    const sorted = [...this.samples].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return Math.round(sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2);
  }
}
