// emulator: a local, faithful Office 365 Management Activity API (token endpoints, subscriptions, content
// listing and blobs, throttling, faults, webhooks, HTTPS) over simulated tenants, with a control surface
// under /_emulator/. `startEmulator` serves any ContentSource; the simulated tenants live in tenant/.

export { startEmulator } from './server/server.js';
export type { EmulatorOptions, RunningEmulator } from './server/server.js';
export type { EmulatorControl, TenantCredentials } from './server/control.js';
export type { FaultOptions } from './server/faults.js';
export type { WebhookOptions } from './server/webhooks.js';
export type { StatsSnapshot } from './server/stats.js';
export type { MintOptions } from './server/tokens.js';
export { MANAGEMENT_RESOURCES } from './server/tokens.js';
export { EMULATED_USER_PASSWORD } from './server/oidc.js';
export { generateCa, generateCertificate, generateServerCertificate, thumbprintOf } from './server/certs.js';
export type { GeneratedCa, GeneratedCertificate, CertificateOptions } from './server/certs.js';
export * from './model.js';
export { createContentSource } from './tenant/index.js';
export type { ContentSourceOptions, LatencyOptions } from './tenant/index.js';
