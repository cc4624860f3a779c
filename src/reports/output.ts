// Writing rendered reports to files: safe file names from report names and periods, written atomically
// and private to this user (core writePrivateFile: 0600 in 0700 folders) so a reader never sees half a
// report and another local user never sees one at all.

import { ensurePrivateDir, writePrivateFile } from '../core/index.js';
import { join } from 'node:path';
import { RENDERERS } from './render/index.js';
import type { ReportFormat, ReportResult } from './types.js';

export interface WrittenFile {
  format: ReportFormat;
  path: string;
  filename: string;
  mediaType: string;
}

/** A file-name-safe stamp of a time: 20260301T0600Z. */
export function fileStamp(t: number): string {
  return new Date(t).toISOString().slice(0, 16).replace(/[-:]/g, '') + 'Z';
}

export function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 80) || 'report';
}

/** Writes the report in each format to `folder` as `<base>.<ext>`; returns what was written. */
export function writeReportFiles(report: ReportResult, formats: readonly ReportFormat[], folder: string, base = report.name): WrittenFile[] {
  ensurePrivateDir(folder);
  return [...new Set(formats)].map((format) => {
    const r = RENDERERS[format];
    const filename = `${safeName(base)}.${r.extension}`;
    const path = join(folder, filename);
    writePrivateFile(path, r.render(report));
    return { format, path, filename, mediaType: r.mediaType };
  });
}
