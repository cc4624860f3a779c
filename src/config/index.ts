// config: loading and validating auditwatch.yaml. Other parts add their section under sections/ and
// one key in schema.ts; field helpers (secretRef, duration, filePath, ...) are shared from fields.ts.
export { loadConfig, parseConfig, DEFAULT_CONFIG_FILE, type Config, type LoadOptions } from './load.js';
export { ConfigError, formatIssue, formatPath, type ConfigIssue } from './errors.js';
export { SECTIONS, SECTION_NAMES, configSchema, type ConfigSections } from './schema.js';
export { guid, duration, filePath, filePathOr, httpUrl, listenAddress, secretRef, textOrSecret, literalUrlProblem, fileContent, durationFlag, type ListenAddress } from './fields.js';
export { CLOUDS, type CloudName, type TenantConfig, type TenantCredential } from './sections/tenants.js';
export type { StoreConfig } from './sections/store.js';
export type { CollectConfig } from './sections/collect.js';
export type { LogConfig } from './sections/log.js';
export type { EnrichConfig } from './sections/enrich.js';
export type { DetectConfig } from './sections/detect.js';
export type { ReportsConfig, ReportSchedule } from './sections/reports.js';
export { exampleConfig, emulatorConfig, type EmulatorTenantInfo } from './example.js';
