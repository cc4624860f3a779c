// A progress line on stderr for long jobs (backfill): records/s, blobs, ETA. Redrawn in place on a TTY,
// plain lines at most every few seconds otherwise (logs, CI).

import { formatDuration } from '../../core/index.js';

export interface ProgressSnapshot {
  records: number;
  blobs: number;
  /** Blobs known to remain, when the job can tell; drives the ETA. */
  blobsTotal?: number | undefined;
  /** Fraction done in [0, 1], when the job can tell better than by blobs (e.g. by time windows). */
  fraction?: number | undefined;
  label?: string | undefined;
}

export interface Progress {
  update(s: ProgressSnapshot): void;
  done(s: ProgressSnapshot): void;
}

export function createProgress(
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
  now: () => number = Date.now,
  plainEveryMs = 5000,
): Progress {
  const start = now();
  let lastDraw = 0;
  const tty = Boolean(stream.isTTY);
  const line = (s: ProgressSnapshot) => {
    const elapsed = Math.max(1, now() - start);
    const rate = (s.records * 1000) / elapsed;
    const fraction = s.fraction ?? (s.blobsTotal ? s.blobs / s.blobsTotal : undefined);
    const eta = fraction !== undefined && fraction > 0 && fraction < 1 ? formatDuration((elapsed * (1 - fraction)) / fraction) : '?';
    const pct = fraction === undefined ? '' : `${Math.floor(Math.min(1, fraction) * 100)}% `;
    const width = 20;
    const bar = fraction === undefined ? '' : `[${'#'.repeat(Math.round(Math.min(1, fraction) * width)).padEnd(width, '.')}] `;
    const blobs = s.blobsTotal ? `${s.blobs}/${s.blobsTotal}` : String(s.blobs);
    return `${bar}${pct}${s.records} records, ${blobs} blobs, ${Math.round(rate)} records/s, ETA ${eta}${s.label ? `, ${s.label}` : ''}`;
  };
  return {
    update(s) {
      const t = now();
      if (tty) {
        if (t - lastDraw < 100) return;
        lastDraw = t;
        const text = line(s).slice(0, Math.max(20, (stream.columns ?? 100) - 1));
        stream.write(`\r\x1b[2K${text}`);
      } else if (t - lastDraw >= plainEveryMs) {
        lastDraw = t;
        stream.write(`${line(s)}\n`);
      }
    },
    done(s) {
      const text = line({ ...s, fraction: 1 }).replace(/, ETA [^,]+/, '');
      stream.write(tty ? `\r\x1b[2K${text}\n` : `${text}\n`);
    },
  };
}
