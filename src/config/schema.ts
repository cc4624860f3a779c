// The sections of auditwatch.yaml that config itself holds (they configure no part above config, or
// only with values of core), and how the root schema is put together: one key per section, unknown
// top-level keys refused. A part that owns its section's schema (alerts: its destinations are the
// notifiers' own schemas) adds it where the root schema is assembled, in service/config.ts; config
// imports no part it configures.

import { z } from 'zod';
import { collectSection } from './sections/collect.js';
import { detectSection } from './sections/detect.js';
import { enrichSection } from './sections/enrich.js';
import { logSection } from './sections/log.js';
import { reportsSection } from './sections/reports.js';
import { storeSection } from './sections/store.js';
import { tenantsSection } from './sections/tenants.js';

export const BASE_SECTIONS = {
  tenants: tenantsSection,
  store: storeSection,
  collect: collectSection,
  enrich: enrichSection,
  log: logSection,
  detect: detectSection,
  reports: reportsSection,
};

/** The root schema of a config file made of `sections`. */
export function rootSchema<T extends Record<string, z.ZodType>>(sections: T) {
  const names = Object.keys(sections);
  return z.strictObject(sections, {
    error: (iss) => (iss.code === 'unrecognized_keys' ? undefined : `must be a map of sections (${names.join(', ')})`),
  });
}
