// config: loading and validating auditwatch.yaml (the root schema is assembled in service/config.ts, above
// the parts it configures). Sections that need no part above config live under sections/ with one key in
// schema.ts; field helpers (secretRef, duration, filePath, ...) are shared from fields.ts.
export { loadConfigWith, parseConfigWith, DEFAULT_CONFIG_FILE, type LoadedConfig, type LoadOptions } from './load.js';
export { ConfigError, formatIssue, formatPath, type ConfigIssue } from './errors.js';
export { BASE_SECTIONS, rootSchema } from './schema.js';
export { guid, duration, filePath, filePathOr, httpUrl, listenAddress, secretRef, textOrSecret, literalUrlProblem, fileContent, durationFlag, type ListenAddress } from './fields.js';
export { CLOUDS, type CloudName, type TenantConfig, type TenantCredential } from './sections/tenants.js';
export type { StoreConfig } from './sections/store.js';
export type { CollectConfig } from './sections/collect.js';
export type { AuthConfig, OidcConfig } from './sections/auth.js';
export type { LogConfig } from './sections/log.js';
export type { EnrichConfig } from './sections/enrich.js';
export type { DetectConfig } from './sections/detect.js';
export type { ReportsConfig, ReportSchedule } from './sections/reports.js';
export { exampleConfig, emulatorConfig, serverStoreSection, type EmulatorTenantInfo, type StoreServers, type SecretReference } from './example.js';
