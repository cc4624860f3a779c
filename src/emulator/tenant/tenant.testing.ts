// Test helpers for the simulated tenants: walk every blob a tenant has listed up to `now`, the way a
// client that follows the API's rules would (consecutive windows of at most 24 hours).

import { DAY } from '../../core/index.js';
import { CONTENT_TYPES } from '../../records/index.js';
import type { BlobMeta, ContentSource } from '../model.js';

export interface WalkedBlob {
  meta: BlobMeta;
  body: string;
  records: Record<string, unknown>[];
}

export function walkBlobs(src: ContentSource, tenantId: string, from: number, now: number, windowMs = DAY): WalkedBlob[] {
  const out: WalkedBlob[] = [];
  for (const ct of CONTENT_TYPES) {
    for (let start = from; start <= now; start += windowMs) {
      for (const meta of src.listBlobs(tenantId, ct, start, start + windowMs, now)) {
        const blob = src.blobContent(tenantId, meta.contentId);
        if (!blob) throw new Error(`listed blob ${meta.contentId} has no content`);
        out.push({ meta, body: blob.body, records: JSON.parse(blob.body) as Record<string, unknown>[] });
      }
    }
  }
  return out;
}
