// Blob identity and layout: a blob is (tenant, content type, availability slot). Its contentCreated is the
// end of the slot (slots are aligned on the emulator's start time, so with no latency the whole history
// is available at start-up); its contentId is the production shape
// `<stamp><n>$<stamp><n>$audit_sharepoint$Audit_SharePoint$emea0026`, from which the slot and content
// type are read back.

import { hashSeed } from '../../core/index.js';
import { CONTENT_TYPES, type ContentType } from '../../records/index.js';

export interface BlobLayout {
  seed: string | number;
  startTime: number;
  slotMs: number;
}

export function slotCreated(layout: BlobLayout, slot: number): number {
  return layout.startTime + slot * layout.slotMs;
}

function stamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}${p(d.getUTCMilliseconds(), 3)}`;
}

function fromStamp(s: string): number {
  const n = (a: number, b: number) => Number(s.slice(a, b));
  return Date.UTC(n(0, 4), n(4, 6) - 1, n(6, 8), n(8, 10), n(10, 12), n(12, 14), n(14, 17));
}

export function contentId(layout: BlobLayout, tenantId: string, region: string, ct: ContentType, slot: number): string {
  const created = slotCreated(layout, slot);
  const n = String(hashSeed(layout.seed, tenantId, ct, slot) % 1_000_000_000).padStart(9, '0');
  const head = `${stamp(created)}${n}`;
  const under = ct.replace('.', '_');
  return `${head}$${head}$${under.toLowerCase()}$${under}$${region}`;
}

/** The (content type, slot) a contentId names, or null when it is not one of ours. */
export function parseContentId(layout: BlobLayout, tenantId: string, region: string, id: string): { ct: ContentType; slot: number } | null {
  const parts = id.split('$');
  if (parts.length !== 5 || !/^\d{26}$/.test(parts[0]!)) return null;
  const ct = CONTENT_TYPES.find((c) => c.replace('.', '_') === parts[3]);
  if (!ct) return null;
  const created = fromStamp(parts[0]!);
  const offset = created - layout.startTime;
  if (!Number.isFinite(offset) || offset % layout.slotMs !== 0) return null;
  const slot = offset / layout.slotMs;
  return contentId(layout, tenantId, region, ct, slot) === id ? { ct, slot } : null;
}
