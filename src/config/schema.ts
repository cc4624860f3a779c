// The root schema of auditwatch.yaml: one key per section, each section in its own file under sections/.
// To add a section: write sections/<name>.ts exporting a zod schema (with .prefault({}) when it has
// defaults), import it here and add one key to SECTIONS. Unknown top-level keys are refused.

import { z } from 'zod';
import { alertsSection } from '../alerts/config.js';
import { collectSection } from './sections/collect.js';
import { detectSection } from './sections/detect.js';
import { enrichSection } from './sections/enrich.js';
import { logSection } from './sections/log.js';
import { reportsSection } from './sections/reports.js';
import { storeSection } from './sections/store.js';
import { tenantsSection } from './sections/tenants.js';

export const SECTIONS = {
  tenants: tenantsSection,
  store: storeSection,
  collect: collectSection,
  enrich: enrichSection,
  log: logSection,
  alerts: alertsSection,
  detect: detectSection,
  reports: reportsSection,
};

export const SECTION_NAMES = Object.keys(SECTIONS);

export const configSchema = z.strictObject(SECTIONS, {
  error: (iss) =>
    iss.code === 'unrecognized_keys' ? undefined : `must be a map of sections (${SECTION_NAMES.join(', ')})`,
});

/** The parsed sections, with defaults filled in, paths absolute and secrets read. */
export type ConfigSections = z.output<typeof configSchema>;
