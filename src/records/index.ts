// records: the audit-record model, the normaliser, import-file parsers, enrichment and identities.
export * from './types.js';
export { normalize, parseCreationTime, makeRejection, REJECTION_RAW_MAX } from './normalize.js';
export { ipv6ToHex, normalizeIp } from './ip.js';
export { RECORD_TYPES, USER_TYPES, LOGON_TYPES, recordTypeName, userTypeName, logonTypeName } from './names.js';
export { readImport, detectFormat, importReason, type ImportItem, type ImportFormat } from './import.js';
export { createEnricher, type Enricher, type EnricherOptions, type Enrichment } from './enrich/index.js';
export { UAL_EXAMPLES, type UalExampleName } from './testdata/ual-examples.js';
export { extractIdentities, normalizeIdentity, type IdentityFact, type IdentityKind, type Identity } from './identities.js';
