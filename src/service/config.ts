// The whole auditwatch.yaml: config's own sections plus the sections the parts own (alerts), put
// together here, above every part they configure, so that config imports none of them. Everything
// that needs the whole Config (the service, the server, the CLI, tests) loads it from here.

import { alertsSection } from '../alerts/index.js';
import { BASE_SECTIONS, loadConfigWith, parseConfigWith, rootSchema, type LoadedConfig, type LoadOptions } from '../config/index.js';

export { DEFAULT_CONFIG_FILE, type LoadOptions } from '../config/index.js';

/** Every section, in the order the README and `auditwatch init` show them. */
export const SECTIONS = {
  tenants: BASE_SECTIONS.tenants,
  store: BASE_SECTIONS.store,
  collect: BASE_SECTIONS.collect,
  enrich: BASE_SECTIONS.enrich,
  log: BASE_SECTIONS.log,
  alerts: alertsSection,
  detect: BASE_SECTIONS.detect,
  reports: BASE_SECTIONS.reports,
};

export const SECTION_NAMES = Object.keys(SECTIONS);

export const configSchema = rootSchema(SECTIONS);

/** A loaded config: every section with defaults filled in, paths absolute and secrets read. */
export type Config = LoadedConfig<typeof configSchema>;

export function loadConfig(path: string, options: LoadOptions = {}): Config {
  return loadConfigWith(configSchema, path, options);
}

/** Parses config text as if it were the file `file` (whose folder anchors relative paths). */
export function parseConfig(text: string, options: LoadOptions & { file: string }): Config {
  return parseConfigWith(configSchema, text, options);
}
