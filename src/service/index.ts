// service: every operation a user can ask for, as typed functions that answer data (operations.ts,
// local.ts), the whole config (config.ts), and the collect daemon's runtime: pipeline, plug-ins,
// tenants, ingest, status model.
export { SECTIONS, SECTION_NAMES, configSchema, loadConfig, parseConfig, DEFAULT_CONFIG_FILE, type Config, type LoadOptions } from './config.js';
export * from './operations.js';
export { createOperations, serialized, reportInfos, importOne, importSourceId, checkReadable, stdinRefused, type ServiceContext } from './local.js';
export { openConfiguredStore, isStoreLocked, checkStoreServers } from './open-store.js';
export { copyStore, type CopyOptions, type CopyResult, type CopyCount } from './store-copy.js';
export { runDaemon, type DaemonOptions, type DaemonRuntime, type ServedRuntime, type ServeRuntime } from './daemon.js';
export { DAEMON_PLUGINS, type DaemonContext, type DaemonPlugin, type DaemonService } from './plugins.js';
export { createPipeline, usableRules, type Pipeline } from './pipeline.js';
export { configuredCollector, ingestTransform, type RowTransform } from './ingest.js';
export { tenantRuntimes } from './tenants.js';
export { createLeadership, leaderOnly, settledStore, sharedStore, othersAlive, collectorLeasesFor, PROCESS_HOLDER, LEADER_KEY, type Leadership } from './cluster.js';
export { computeStatus, renderStatus, type StatusEntry, type StatusReport } from './status-report.js';
export { ruleDirsOf, rulesOf, overridesOf, reportRuleErrors, reportRuleFailures, listRules, validateRules, testRules } from './rules.js';
export { timeOption } from './times.js';
export { ACCOUNT_ROLES, MIN_PASSWORD, accountName, checkPassword, type AccountInfo } from './accounts.js';
export { hashPassword, verifyPassword, needsRehash, SCRYPT_DEFAULTS, type ScryptParams } from './passwords.js';
export { configuredSessions, createSessionService, sessionIdHash, type LoginResult, type OpenedSession, type SessionInfo, type SessionService, type SessionSettings } from './sessions.js';
export { loginLimiter, type LoginLimiter, type LoginLimits } from './login-limit.js';
