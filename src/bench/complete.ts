// For `npm run bench -- collect`: whether a pass stored exactly what the emulator served. The emulator's
// ground truth (GET /_emulator/ground-truth) lists every record Id its blobs hold at this moment; each
// pass starts from a fresh emulator and a fresh store, so the two counts must be equal. A rate measured
// on a pass that lost or doubled records would mean nothing.

import type { Store } from '../store/index.js';

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Records the emulator at `url` serves in blobs created in [since, until) (until: any time). */
export async function servedRecords(url: string, since: number, until?: number): Promise<number> {
  const range = `createdFrom=${encodeURIComponent(new Date(since).toISOString())}${until === undefined ? '' : `&createdTo=${encodeURIComponent(new Date(until).toISOString())}`}`;
  const res = await fetch(`${url}/_emulator/ground-truth?${range}`);
  if (!res.ok) throw new Error(`the emulator's ground truth answered HTTP ${res.status}`);
  const truth = (await res.json()) as { available: Record<string, Record<string, string[]>> };
  let n = 0;
  for (const byType of Object.values(truth.available)) for (const ids of Object.values(byType)) n += ids.length;
  return n;
}

/**
 * One line: the store's events against the emulator's ground truth: every record of the blobs created
 * before the pass began must be stored, and nothing beyond what the emulator serves now (blobs created
 * while the pass ran may or may not have been listed).
 */
export async function completenessLine(label: string, store: Store, url: string, since: number, passStart: number): Promise<string> {
  const [stored, before, now] = [await store.copy.countEvents(), await servedRecords(url, since, passStart), await servedRecords(url, since)];
  const verdict = stored < before ? `${fmt(before - stored)} MISSING` : stored > now ? `${fmt(stored - now)} more than served` : 'complete';
  const late = now > before ? `, ${fmt(now - before)} more in blobs created during the pass` : '';
  return `  ${label}: ${fmt(stored)} records stored; the emulator served ${fmt(before)} before the pass began${late} (${verdict})\n`;
}
