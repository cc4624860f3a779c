// api: the Office 365 Management Activity API client (tokens, clouds, list, fetch, AF error codes).
export { createApiClient } from './client.js';
export type { ApiClient, ApiClientOptions, Subscription, ContentBlobRef, ContentPage, BlobContent } from './client.js';
export { CLOUDS, CLOUD_NAMES, resolveEndpoints } from './clouds.js';
export type { CloudName, CloudEndpoints } from './clouds.js';
export { ApiError, isApiError, classifyApiResponse, classifyTokenResponse, classifyTransport } from './errors.js';
export type { ApiErrorKind } from './errors.js';
export type { RequestHooks } from './http.js';
export type { Credential } from './token.js';
export { splitJsonArray } from './split.js';
