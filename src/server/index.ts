// server: the daemon's HTTP API (/api/v1, OpenAPI, bearer token, Host check), its endpoint file and
// the typed client the CLI uses when the daemon holds the store.
export { createApiApp, errorBody, type ApiAppOptions, type ErrorBody, type MetricsSource } from './app.js';
export { apiServing, startApiServer, type ApiServer, type ApiServerOptions } from './serve.js';
export { createDaemonClient } from './client.js';
export { endpointFile, readEndpoint, removeEndpoint, writeEndpoint, type DaemonEndpoint } from './endpoint.js';
export { allowedHostNames, hostCheck, hostOf, type HostPolicy } from './host.js';
export { openApiDocument } from './openapi.js';
export { API_PREFIX, ROLES, ROUTES, ROUTE_ROLES, roleAllows, type Role, type RouteDef } from './routes.js';
export { CONTENT_SECURITY_POLICY, securityHeaders } from './headers.js';
export { webStatic } from './static.js';
